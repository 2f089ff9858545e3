/** micro-cpu: the float64 reference engine (src/micro/cpu), trials spread over worker threads on request. */
import { simulateMicroCpuAsync } from '../micro/cpu';
import { unsupportedFeatures } from '../compile/support';
import { runOnThreads, threadCount, threadsOption } from './threads';
import type { EngineDef } from './types';

export const microCpu = {
  id: 'micro-cpu',
  label: 'micro (CPU)',
  description: 'every neuron and synapse in float64 on the CPU, the reference; trials over worker threads',
  color: '#000000',
  capabilities: { gpu: false, stochastic: true, threads: true, batches: false, browserWorker: false },
  options: [threadsOption],
  unsupported: (scenario) => unsupportedFeatures('micro-cpu', scenario),
  async run(scenario, options, ctx) {
    const threads = await threadCount(options.threads, scenario, ctx);
    if (threads > 1) return runOnThreads(scenario, { engine: 'micro-cpu' }, threads, ctx);
    return simulateMicroCpuAsync(scenario, {
      trialRange: ctx.trialRange,
      onProgress: ctx.onProgress,
      signal: ctx.signal,
      chunkSteps: ctx.chunkSteps,
      maxTrialsPerBatch: ctx.maxTrialsPerBatch,
    });
  },
} as const satisfies EngineDef<'micro-cpu'>;
