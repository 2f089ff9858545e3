/** micro-gpu: the WebGPU engine (src/micro/gpu), trials in parallel, in batches when they do not fit at once. */
import { requestBrowserGpu } from '../gpu/browser';
import { simulateMicroGpu } from '../micro/gpu';
import type { GpuScheduleMode } from '../micro/gpu/resident';
import { unsupportedFeatures } from '../compile/support';
import type { EngineDef } from './types';

export const microGpu = {
  id: 'micro-gpu',
  label: 'micro (WebGPU)',
  description: 'every neuron and synapse on the GPU (WebGPU, float32), trials in parallel and in batches',
  color: '#0072B2',
  capabilities: { gpu: true, stochastic: true, threads: false, batches: true, browserWorker: false },
  options: [
    {
      name: 'schedule',
      metavar: 'S',
      description:
        'step schedule: one dispatch per chunk of steps for small networks (resident), two or three dispatches per step (fused), every kernel per step (general, runs everything), or the first that can and pays (auto)',
      values: ['auto', 'general', 'fused', 'resident'],
      default: 'auto',
      what: 'a micro-gpu step schedule',
    },
  ],
  unsupported: (scenario) => unsupportedFeatures('micro-gpu', scenario),
  async run(scenario, options, ctx) {
    const run = (gpu: NonNullable<typeof ctx.gpu>) =>
      simulateMicroGpu(scenario, {
        gpu,
        onProgress: ctx.onProgress,
        signal: ctx.signal,
        onBatch: ctx.onBatch,
        maxTrialsPerBatch: ctx.maxTrialsPerBatch,
        trialRange: ctx.trialRange,
        chunkSteps: ctx.chunkSteps,
        mode: (options.schedule ?? 'auto') as 'auto' | GpuScheduleMode,
      });
    if (ctx.gpu) return run(ctx.gpu);
    if (!(globalThis.navigator as Navigator | undefined)?.gpu) {
      throw new Error(
        'micro-gpu needs a GPU: in Node pass run(scenario, { level: "micro-gpu", gpu: await requestNodeGpu() }) (the CLI does this); in a browser, one with WebGPU',
      );
    }
    const gpu = await requestBrowserGpu();
    try {
      return await run(gpu);
    } finally {
      gpu.destroy();
    }
  },
} as const satisfies EngineDef<'micro-gpu'>;
