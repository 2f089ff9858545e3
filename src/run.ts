/**
 * One entry point for every level: run(scenario, { level, onProgress, signal }) returns a
 * Recording of the same shape whichever engine produced it (docs/design.md, "one interface for every level"). The
 * engines, their options and how they run are declared once, in the registry (src/engines).
 */
import type { Recording, RunOptions } from './model/recording';
import { parseScenario } from './model/validate';
import type { Scenario, ScenarioInput } from './model/scenario';
import type { GpuContext } from './gpu/device';
import { ENGINE_IDS, engine, runEngine, type OptionValues } from './engines';

/** The levels run() takes: the registry's engine ids. */
export const AVAILABLE_LEVELS = ENGINE_IDS;

export interface FullRunOptions extends RunOptions {
  /** micro-cpu and meso with threads > 1: the script a worker thread runs (the CLI passes its own bundle; the library's Node entry, itself). */
  workerScript?: URL;
  /**
   * micro-gpu: the GPU to run on. In a browser it defaults to navigator.gpu's adapter; in Node
   * pass `await requestNodeGpu()` (src/gpu/node.ts), which the CLI does.
   */
  gpu?: GpuContext;
}

/**
 * Runs a scenario (JSON as written, or parsed) at `options.level` and returns its Recording: the
 * same typed arrays whatever the level. Validates the scenario first (a ScenarioError lists every
 * problem) and refuses options the level does not take and features its engine does not model.
 */
export async function run(input: Scenario | ScenarioInput, options: FullRunOptions): Promise<Recording> {
  const scenario = parseScenario(input);
  const e = engine(options.level);
  if (!e) throw new Error(`level "${options.level}" is not in this version of mesostp yet; available: ${ENGINE_IDS.join(', ')}`);
  // The options this engine declares, taken from run()'s flat options; the others do not apply to it.
  const given = options as unknown as OptionValues;
  const values: OptionValues = Object.fromEntries(e.options.filter((o) => given[o.name] !== undefined).map((o) => [o.name, given[o.name]]));
  return runEngine(e.id, scenario, values, { gpu: options.gpu, workerScript: options.workerScript, onProgress: options.onProgress, signal: options.signal });
}
