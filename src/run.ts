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

export const AVAILABLE_LEVELS = ['micro-cpu', 'meso', 'macro'] as const;

export interface FullRunOptions extends RunOptions {
  /** micro-cpu with threads > 1: the script a worker thread runs (the CLI passes its own bundle). */
  workerScript?: URL;
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
    case 'meso':
    case 'macro':
      return simulateMesoAsync(scenario, { level: options.level, stp: options.stp, moments: options.moments, onProgress: options.onProgress, signal: options.signal });
    default:
      throw new Error(`level "${options.level}" is not in this version of mesostp yet; available: ${AVAILABLE_LEVELS.join(', ')}`);
  }
}
