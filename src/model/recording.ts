/**
 * What every engine returns: the same typed arrays and metadata whatever the level, so
 * comparison code never needs to know which engine produced a recording.
 * Layouts are row-major with the trial as the slowest index.
 */
import type { Scenario } from './scenario';

export type Level = 'micro-cpu' | 'micro-gpu' | 'meso' | 'macro';
export type Samples = Float64Array | Float32Array;

export interface InputRecording {
  /** Indices of the sampled neurons within their population. */
  neurons: Int32Array;
  /** Total synaptic input (mV) into each sampled neuron, averaged over each bin: [trials × neurons × bins]. */
  sampled: Samples;
  /** Input averaged over all neurons of the population, per bin: [trials × bins]. */
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

export interface Recording {
  level: Level;
  scenario: Scenario;
  trials: number;
  dt: number;
  /** Steps the run was asked for, and steps every trial completed (fewer if cancelled). */
  steps: number;
  completedSteps: number;
  cancelled: boolean;
  binSize: number;
  /** Complete bins recorded (completedSteps / steps per bin, rounded down). */
  bins: number;
  /** Population activity A_N (Hz) per bin: [trials × bins]. */
  activity: Record<string, Samples>;
  /** Synaptic input into the populations named in scenario.record.inputs. */
  inputs: Record<string, InputRecording>;
  /** Mean STP variables over the synapses of each STP projection: [trials × bins], sampled at bin ends. */
  stp: Record<string, Record<string, Samples>>;
  spikes: Record<string, SpikeRecording>;
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
  /** micro-cpu: worker threads to spread trials over (1 = in this thread). */
  threads?: number;
  /** meso and macro: the STP mean-field, first ('mf1') or second order ('mf2', the default), or age-resolved ('age', docs/meso.md). */
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
