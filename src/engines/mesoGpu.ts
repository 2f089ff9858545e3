/**
 * meso-gpu: the population equations of the meso engine on WebGPU (src/meso/gpu, docs/meso.md),
 * trials in parallel, float32. Statistically equal to meso, not bit-equal; what it does not model
 * yet is refused by src/compile/support.ts, naming --level meso.
 */
import { unsupportedFeatures } from '../compile/support';
import { requestBrowserGpu } from '../gpu/browser';
import { simulateMesoGpu } from '../meso/gpu';
import { MESO_GPU_LAYOUTS, type MesoGpuLayout } from '../meso/gpu/kernels/mesoStep';
import { moments, stp } from './meso';
import type { EngineDef } from './types';

export const mesoGpu = {
  id: 'meso-gpu',
  label: 'meso (WebGPU)',
  description: 'mesoscopic population equations at finite N on the GPU (WebGPU, float32), trials in parallel; STP by mean-field (mf1, mf2, age)',
  color: '#F0E442',
  capabilities: { gpu: true, stochastic: true, threads: false, batches: false, browserWorker: false },
  options: [
    stp,
    moments,
    {
      name: 'layout',
      metavar: 'L',
      description:
        'how trials map onto the GPU: a workgroup per trial whose lanes share the age bins (lanes), an invocation per trial with no barriers (trials), or trials on a software adapter from 16 trials and lanes otherwise (auto)',
      values: ['auto', ...MESO_GPU_LAYOUTS],
      default: 'auto',
      what: 'a meso-gpu layout',
    },
  ],
  unsupported: (scenario) => unsupportedFeatures('meso-gpu', scenario),
  async run(scenario, options, ctx) {
    const run = (gpu: NonNullable<typeof ctx.gpu>) =>
      simulateMesoGpu(scenario, {
        gpu,
        stp: options.stp,
        moments: options.moments,
        onProgress: ctx.onProgress,
        signal: ctx.signal,
        chunkSteps: ctx.chunkSteps,
        maxTrialsPerBatch: ctx.maxTrialsPerBatch,
        trialRange: ctx.trialRange,
        layout: options.layout === undefined || options.layout === 'auto' ? undefined : (options.layout as MesoGpuLayout),
      });
    if (ctx.gpu) return run(ctx.gpu);
    if (!(globalThis.navigator as Navigator | undefined)?.gpu) {
      throw new Error(
        'meso-gpu needs a GPU: in Node pass run(scenario, { level: "meso-gpu", gpu: await requestNodeGpu() }) (the CLI does this); in a browser, one with WebGPU',
      );
    }
    const gpu = await requestBrowserGpu();
    try {
      return await run(gpu);
    } finally {
      gpu.destroy();
    }
  },
} as const satisfies EngineDef<'meso-gpu'>;
