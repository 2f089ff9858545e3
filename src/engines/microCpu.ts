/** micro-cpu: the float64 reference engine (src/micro/cpu), trials spread over worker threads on request. */
import { simulateMicroCpuAsync } from '../micro/cpu';
import { unsupportedFeatures } from '../compile/support';
import type { EngineDef } from './types';

/**
 * "auto": one thread per core. Worker threads are Node's: `import.meta.env.SSR` is true in the
 * CLI bundle and under vitest, false in the browser bundle, which so leaves node:os and
 * node:worker_threads (src/micro/cpu/parallel.ts) out.
 */
async function coreCount(): Promise<number> {
  if (import.meta.env.SSR) return (await import('node:os')).availableParallelism();
  return (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1;
}

export const microCpu = {
  id: 'micro-cpu',
  label: 'micro (CPU)',
  description: 'every neuron and synapse in float64 on the CPU, the reference; trials over worker threads',
  color: '#000000',
  capabilities: { gpu: false, stochastic: true, threads: true, batches: false, browserWorker: false },
  options: [{ name: 'threads', metavar: 'K', description: 'worker threads for the trials', integer: { min: 1, auto: true }, default: 1 }],
  unsupported: (scenario) => unsupportedFeatures('micro-cpu', scenario),
  async run(scenario, options, ctx) {
    const asked = options.threads === 'auto' ? await coreCount() : (options.threads ?? 1);
    const range = ctx.trialRange ?? [0, scenario.run.trials];
    const threads = Math.max(1, Math.min(asked, range[1] - range[0]));
    if (threads > 1) {
      if (!ctx.workerScript) throw new Error('micro-cpu with threads > 1 needs a workerScript (the CLI provides its own)');
      if (!import.meta.env.SSR) throw new Error('micro-cpu runs on worker threads in Node only');
      const { simulateMicroCpuParallel } = await import('../micro/cpu/parallel');
      return simulateMicroCpuParallel(scenario, {
        threads,
        trialRange: ctx.trialRange,
        workerScript: ctx.workerScript,
        onProgress: ctx.onProgress,
        signal: ctx.signal,
        maxTrialsPerBatch: ctx.maxTrialsPerBatch,
      });
    }
    return simulateMicroCpuAsync(scenario, {
      trialRange: ctx.trialRange,
      onProgress: ctx.onProgress,
      signal: ctx.signal,
      chunkSteps: ctx.chunkSteps,
      maxTrialsPerBatch: ctx.maxTrialsPerBatch,
    });
  },
} as const satisfies EngineDef<'micro-cpu'>;
