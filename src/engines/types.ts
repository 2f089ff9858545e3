/**
 * What an engine declares, once: its id, label, description and colour, its capabilities, the
 * options it takes (name, allowed values, default), which scenarios it cannot run, and its run
 * function. A variant is a named engine + options combination (e.g. meso-mf1) with its own
 * label and colour: the names the CLI, the app, the validation reports and the benchmarks show.
 */
import type { SupportIssue } from '../compile/support';
import type { GpuContext } from '../gpu/device';
import type { Level, Progress, Recording, RunOptions } from '../model/recording';
import type { HostLimit } from '../model/recordingMemory';
import type { Scenario } from '../model/scenario';

/** An option an engine takes: a choice among `values`, or an integer ≥ `integer.min`. */
export interface OptionSpec {
  name: string;
  /** One line, for help texts. */
  description: string;
  /** The placeholder of the CLI flag (`--stp MODE`). */
  metavar: string;
  /** A choice: the allowed values. */
  values?: readonly string[];
  /** An integer option; `auto` also accepts the word "auto" (one per core). */
  integer?: { min: number; auto?: boolean };
  default: string | number;
  /** How a wrong value is named in errors ("--stp mf3 is not a mean-field order; ..."). */
  what?: string;
}

/** Option values by name; the known ones typed as run() takes them. */
export interface OptionValues {
  threads?: number | 'auto';
  stp?: RunOptions['stp'];
  moments?: RunOptions['moments'];
  [name: string]: string | number | undefined;
}

export interface Capabilities {
  /** Needs a WebGPU device (ctx.gpu, or the browser's). */
  gpu: boolean;
  /** Draws random numbers (false: deterministic, one trial says everything). */
  stochastic: boolean;
  /** Can spread trials over worker threads (Node; ctx.workerScript). */
  threads: boolean;
  /** Runs trials in batches and reports each through ctx.onBatch (ctx.maxTrialsPerBatch bounds them). */
  batches: boolean;
  /** Runs inside a browser Web Worker (the app runs it off the page's thread). */
  browserWorker: boolean;
}

/** What a run gets besides the scenario and the options. */
export interface EngineContext {
  /** The GPU to run on (engines with capabilities.gpu; in a browser the page's adapter is the default). */
  gpu?: GpuContext;
  /** The script a worker thread runs (the CLI passes its own bundle). */
  workerScript?: URL;
  onProgress?: (p: Progress) => void;
  /** Checked between chunks; on abort the completed steps are returned (cancelled: true). */
  signal?: AbortSignal;
  /** Engines with capabilities.batches: each batch's recording as soon as it is read back. */
  onBatch?: (part: Recording) => void;
  /** An upper bound on the trials of a batch: micro-gpu's, and the CPU engines' under record.trials 'stats'. */
  maxTrialsPerBatch?: number;
  /** Steps between progress reports and abort checks (the engine's default when absent). */
  chunkSteps?: number;
  /**
   * Only the trials [from, to) of scenario.run.trials (global indices: the trials' random numbers
   * come from counters of their index, so a range gives exactly those trials of the whole run): a
   * block of a checkpointed or sharded run. Default: every trial.
   */
  trialRange?: [number, number];
  /** Host memory the recording may take (default: hostMemoryLimit(), a share of the machine's); a run that needs more is refused before it starts. */
  hostMemory?: HostLimit;
}

export interface EngineDef<Id extends string = string> {
  id: Id;
  label: string;
  /** One line, for help texts. */
  description: string;
  color: string;
  capabilities: Capabilities;
  options: readonly OptionSpec[];
  /**
   * What in the scenario this engine does not model, each with the field's JSON path (empty: it
   * runs it). The compile layer's one table decides (src/compile/support.ts); the engine refuses
   * the same features with the same words when it runs.
   */
  unsupported(scenario: Scenario): SupportIssue[];
  run(scenario: Scenario, options: OptionValues, ctx: EngineContext): Promise<Recording>;
}

export interface VariantDef<Id extends string = string, E extends string = string> {
  id: Id;
  engine: E;
  options: OptionValues;
  label: string;
  /** For legends and table columns, where space is short. */
  short: string;
  /** One colour per variant (Okabe–Ito). */
  color: string;
  /** Drawn dashed in figures. */
  dashed?: boolean;
  /** Offered by the app's level choices. */
  app?: boolean;
  /** Run by `mesostp bench`. */
  bench?: boolean;
}

/** Type-level equality, for keeping the registry's ids and model's Level the same. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Assert<T extends true> = T;
export type { Level };
