/**
 * One entry point for every level: run(scenario, { level, onProgress, signal }) returns a
 * Recording of the same shape whichever engine produced it (DESIGN.md, "One interface").
 */
import type { Recording, RunOptions } from './model/recording';
import { parseScenario } from './model/validate';
import type { Scenario, ScenarioInput } from './model/scenario';
import { simulateMicroCpuAsync } from './micro/cpu';
import { simulateMicroCpuParallel } from './micro/cpu/parallel';
import { simulateMesoAsync } from './meso';
import { simulateMicroGpu } from './micro/gpu';
import { requestBrowserGpu } from './gpu/browser';
import type { GpuContext } from './gpu/device';

export const AVAILABLE_LEVELS = ['micro-cpu', 'micro-gpu', 'meso', 'macro'] as const;

export interface FullRunOptions extends RunOptions {
  /** micro-cpu with threads > 1: the script a worker thread runs (the CLI passes its own bundle). */
  workerScript?: URL;
  /**
   * micro-gpu: the GPU to run on. In a browser it defaults to navigator.gpu's adapter; in Node
   * pass `await requestNodeGpu()` (src/gpu/node.ts), which the CLI does.
   */
  gpu?: GpuContext;
}

export async function run(input: Scenario | ScenarioInput, options: FullRunOptions): Promise<Recording> {
  const scenario = parseScenario(input);
  switch (options.level) {
    case 'micro-cpu': {
      const threads = Math.max(1, Math.min(options.threads ?? 1, scenario.run.trials));
      if (threads > 1) {
        if (!options.workerScript) throw new Error('micro-cpu with threads > 1 needs a workerScript (the CLI provides its own)');
        return simulateMicroCpuParallel(scenario, { threads, workerScript: options.workerScript, onProgress: options.onProgress, signal: options.signal });
      }
      return simulateMicroCpuAsync(scenario, { onProgress: options.onProgress, signal: options.signal });
    }
    case 'micro-gpu': {
      if (options.gpu) return simulateMicroGpu(scenario, { gpu: options.gpu, onProgress: options.onProgress, signal: options.signal });
      if (!(globalThis.navigator as Navigator | undefined)?.gpu) {
        throw new Error('micro-gpu needs a GPU: in Node pass run(scenario, { level: "micro-gpu", gpu: await requestNodeGpu() }) (the CLI does this); in a browser, one with WebGPU');
      }
      const gpu = await requestBrowserGpu();
      try {
        return await simulateMicroGpu(scenario, { gpu, onProgress: options.onProgress, signal: options.signal });
      } finally {
        gpu.destroy();
      }
    }
    case 'meso':
    case 'macro':
      return simulateMesoAsync(scenario, { level: options.level, stp: options.stp, moments: options.moments, onProgress: options.onProgress, signal: options.signal });
    default:
      throw new Error(`level "${options.level}" is not in this version of mesostp yet; available: ${AVAILABLE_LEVELS.join(', ')}`);
  }
}
