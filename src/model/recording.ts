/**
 * What every engine returns: the same typed arrays and metadata whatever the level, so
 * comparison code never needs to know which engine produced a recording.
 * Layouts are row-major with the trial as the slowest index.
 */
import type { Scenario } from './scenario';
import type { TrialStats } from './trialStats';

export type Level = 'micro-cpu' | 'micro-gpu' | 'meso' | 'macro' | 'meso-gpu';
export type Samples = Float64Array | Float32Array;

export interface InputRecording {
  /** Indices of the sampled neurons within their population. */
  neurons: Int32Array;
  /** Total synaptic input (mV) into each sampled neuron, averaged over each bin: [keptTrials × neurons × bins]. */
  sampled: Samples;
  /** Input averaged over all neurons of the population, per bin: [keptTrials × bins]. */
  populationMean: Samples;
}

export interface SpikeRecording {
  /** Indices of the sampled neurons within their population. */
  neurons: Int32Array;
  /** One entry per spike, in time order within each trial. */
  trial: Int32Array;
  neuron: Int32Array;
  /** Spike time (s): the start of the step in which the spike was drawn. */
  time: Float64Array;
}

/** The across-trial statistics of every per-trial array of a Recording, keyed as the arrays are. */
export interface RecordingStats {
  activity: Record<string, TrialStats>;
  inputs: Record<string, { sampled: TrialStats; populationMean: TrialStats }>;
  stp: Record<string, Record<string, TrialStats>>;
}

/**
 * Per-trial arrays ([trials × … × bins] below) hold `keptTrials` rows of trials, the first ones
 * of the run: every trial when scenario.record.trials is 'all', the first record.keepTrials
 * when it is 'stats'. `stats` covers every trial in both modes; code that needs more trials'
 * arrays than were kept calls requireEveryTrial.
 */
export interface Recording {
  level: Level;
  scenario: Scenario;
  /** Trials simulated (and covered by `stats`). */
  trials: number;
  /** Trials whose arrays and spikes are held: the first ones (all of them unless record.trials is 'stats'). */
  keptTrials: number;
  dt: number;
  /** Steps the run was asked for, and steps every trial completed (fewer if cancelled). */
  steps: number;
  completedSteps: number;
  cancelled: boolean;
  binSize: number;
  /** Complete bins recorded (completedSteps / steps per bin, rounded down). */
  bins: number;
  /** Population activity A_N (Hz) per bin: [keptTrials × bins]. */
  activity: Record<string, Samples>;
  /** Synaptic input into the populations named in scenario.record.inputs ([keptTrials × …]). */
  inputs: Record<string, InputRecording>;
  /** Mean STP variables over the synapses of each STP projection: [keptTrials × bins], sampled at bin ends. */
  stp: Record<string, Record<string, Samples>>;
  /** Spikes of the kept trials. */
  spikes: Record<string, SpikeRecording>;
  /** Trial mean and M2 per bin of every array above, and of each trial's average, over all `trials`. */
  stats: RecordingStats;
  wallSeconds: number;
  /** Engine-specific facts worth reporting (STP state placement, threads, adapter, ...). */
  engine: Record<string, unknown>;
}

export interface Progress {
  /** Fraction of the run done, in [0, 1]. */
  fraction: number;
  completedSteps: number;
  steps: number;
}

export interface RunOptions {
  level: Level;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** micro-cpu, meso: worker threads to spread trials over (1 = in this thread). */
  threads?: number;
  /** meso and macro: the STP mean-field, first ('mf1') or second order ('mf2'), or age-resolved ('age', the default, docs/meso.md). */
  stp?: 'mf1' | 'mf2' | 'age';
  /** meso: what drives the STP second moments, the expected activity (default) or the realised one. */
  moments?: 'expected' | 'realised';
}

/** A projection's name in recordings and files: its `name`, or "from->to". */
export function projectionName(p: { name?: string; from: string; to: string }): string {
  return p.name ?? `${p.from}->${p.to}`;
}

/** Steps per recording bin. */
export function stepsPerBin(scenario: Scenario): number {
  return Math.max(1, Math.round((scenario.record.binSize ?? scenario.run.dt) / scenario.run.dt));
}

/** Time steps of a run: duration / dt. */
export function stepCount(scenario: Scenario): number {
  return Math.round(scenario.run.duration / scenario.run.dt);
}

/**
 * Keeps the first `to` of the `from` bins of each of `rows` rows (a run cut short by cancel), in
 * an array of the same type. An array that already holds exactly that is returned as it is; a
 * view into a larger buffer is copied, so that a recording never pins a batch's whole readback.
 */
export function cutBins<A extends Float64Array | Float32Array>(a: A, rows: number, from: number, to: number): A {
  if (to === from && a.byteLength === a.buffer.byteLength) return a;
  const out = new (a.constructor as new (n: number) => A)(rows * to);
  for (let r = 0; r < rows; r++) out.set(a.subarray(r * from, r * from + to), r * to);
  return out;
}

/** A recording that kept fewer trials' arrays than it ran, handed to code that needs every trial's. */
export class TrialsNotKeptError extends Error {
  override name = 'TrialsNotKeptError';
}

/**
 * Refuses, naming what to do, when `r` does not hold every trial's arrays (record.trials 'stats'):
 * for analyses that need each trial (spectra over all trials, bootstrap resampling, Up/Down
 * segmentation), not only the per-bin means and variances of r.stats.
 */
export function requireEveryTrial(r: Pick<Recording, 'trials' | 'keptTrials'>, purpose: string): void {
  if (r.keptTrials >= r.trials) return;
  throw new TrialsNotKeptError(
    `${purpose} needs the arrays of every trial, but this recording kept ${r.keptTrials} of its ${r.trials} trials (record.trials "stats" keeps per-bin statistics); run with --record trials (record.trials: "all"), or keep every trial's arrays (record.keepTrials ≥ ${r.trials})`,
  );
}
