/**
 * Merges Recordings of consecutive trial ranges of one scenario (e.g. one per worker thread)
 * into the Recording of the whole range, cut to the smallest completedSteps. Spike trial
 * indices are shifted so that they count from the first trial of the merged range.
 *
 * The kept trials' arrays are concatenated. The statistics are computed again from the merged
 * arrays when they hold every trial, so a split run gives the statistics of an unsplit one bit
 * for bit; otherwise (record.trials 'stats') the parts' statistics merge by Chan et al.'s update.
 */
import type { InputRecording, Recording, RecordingStats, Samples, SpikeRecording } from './recording';
import { statsFromArrays } from './recordingStats';
import { cutTrialStats, mergeTrialStats, type TrialStats } from './trialStats';

function rangeOf(r: Recording): [number, number] | null {
  const tr = r.engine.trialRange;
  return Array.isArray(tr) && tr.length === 2 ? [Number(tr[0]), Number(tr[1])] : null;
}

/** Concatenates [trials_k × rowWidth × oldBins_k] blocks, keeping `bins` bins per row. */
function concatRows(parts: { a: Samples; trials: number; bins: number }[], rowsPerTrial: number, bins: number): Float64Array {
  const total = parts.reduce((s, p) => s + p.trials, 0);
  const out = new Float64Array(total * rowsPerTrial * bins);
  let o = 0;
  for (const p of parts) {
    const rows = p.trials * rowsPerTrial;
    if (p.bins === bins && ArrayBuffer.isView(p.a)) {
      // Rows of the same width: one block copy (the common case, every batch of a run complete).
      out.set(p.a.subarray(0, rows * bins), o);
      o += rows * bins;
      continue;
    }
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < bins; k++) out[o++] = p.a[r * p.bins + k];
    }
  }
  return out;
}

/** One Recording from recordings of consecutive trial ranges of one scenario (in any order when each names its trialRange). */
export function mergeRecordings(parts: Recording[]): Recording {
  if (parts.length === 0) throw new Error('mergeRecordings: nothing to merge');
  const sorted = [...parts];
  const ranges = sorted.map(rangeOf);
  if (ranges.every((r) => r !== null)) sorted.sort((a, b) => rangeOf(a)![0] - rangeOf(b)![0]);
  const first = sorted[0];
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i];
    if (r.dt !== first.dt || r.steps !== first.steps || r.binSize !== first.binSize || r.level !== first.level) {
      throw new Error('mergeRecordings: the parts come from different runs (dt, steps, bin size or level differ)');
    }
    const a = rangeOf(sorted[i - 1] ?? r);
    const b = rangeOf(r);
    if (i > 0 && a && b && a[1] !== b[0]) throw new Error(`mergeRecordings: trial ranges are not consecutive ([${a}] then [${b}])`);
  }
  const completedSteps = Math.min(...sorted.map((r) => r.completedSteps));
  const bins = Math.min(...sorted.map((r) => r.bins));
  const trials = sorted.reduce((s, r) => s + r.trials, 0);
  const keptTrials = sorted.reduce((s, r) => s + r.keptTrials, 0);
  // Kept trials are the first of the run: only the last part holding some may hold fewer than all of its own.
  for (let i = 0; i + 1 < sorted.length; i++) {
    if (sorted[i].keptTrials < sorted[i].trials && sorted[i + 1].keptTrials > 0)
      throw new Error('mergeRecordings: the kept trials are not the leading trials of the merged range');
  }

  const activity: Record<string, Float64Array> = {};
  for (const name of Object.keys(first.activity))
    activity[name] = concatRows(
      sorted.map((r) => ({ a: r.activity[name], trials: r.keptTrials, bins: r.bins })),
      1,
      bins,
    );

  const inputs: Record<string, InputRecording> = {};
  for (const [name, rec] of Object.entries(first.inputs)) {
    const m = rec.neurons.length;
    inputs[name] = {
      neurons: rec.neurons.slice(),
      sampled: concatRows(
        sorted.map((r) => ({ a: r.inputs[name].sampled, trials: r.keptTrials, bins: r.bins })),
        m,
        bins,
      ),
      populationMean: concatRows(
        sorted.map((r) => ({ a: r.inputs[name].populationMean, trials: r.keptTrials, bins: r.bins })),
        1,
        bins,
      ),
    };
  }

  const stp: Record<string, Record<string, Float64Array>> = {};
  for (const [name, vars] of Object.entries(first.stp)) {
    stp[name] = {};
    for (const v of Object.keys(vars))
      stp[name][v] = concatRows(
        sorted.map((r) => ({ a: r.stp[name][v], trials: r.keptTrials, bins: r.bins })),
        1,
        bins,
      );
  }

  const spikes: Record<string, SpikeRecording> = {};
  for (const [name, rec] of Object.entries(first.spikes)) {
    const trial: number[] = [];
    const neuron: number[] = [];
    const time: number[] = [];
    let offset = 0;
    for (const r of sorted) {
      const s = r.spikes[name];
      for (let q = 0; q < s.trial.length; q++) {
        // A spike at t_n belongs to step n; keep only the steps every part completed.
        if (Math.round(s.time[q] / r.dt) >= completedSteps) continue;
        trial.push(s.trial[q] + offset);
        neuron.push(s.neuron[q]);
        time.push(s.time[q]);
      }
      offset += r.trials;
    }
    spikes[name] = { neurons: rec.neurons.slice(), trial: Int32Array.from(trial), neuron: Int32Array.from(neuron), time: Float64Array.from(time) };
  }

  const stats = keptTrials === trials ? statsFromArrays({ trials, bins, activity, inputs, stp }) : mergeStats(sorted, bins);

  const firstRange = rangeOf(sorted[0]);
  const lastRange = rangeOf(sorted[sorted.length - 1]);
  return {
    ...first,
    trials,
    keptTrials,
    completedSteps,
    cancelled: sorted.some((r) => r.cancelled),
    bins,
    activity,
    inputs,
    stp,
    spikes,
    stats,
    wallSeconds: Math.max(...sorted.map((r) => r.wallSeconds)),
    engine: {
      ...first.engine,
      threads: sorted.reduce((s, r) => s + (typeof r.engine.threads === 'number' ? r.engine.threads : 1), 0),
      // Parts run side by side (worker threads): the set-up of the slowest.
      setupSeconds: Math.max(...sorted.map((r) => (typeof r.engine.setupSeconds === 'number' ? r.engine.setupSeconds : 0))),
      ...(firstRange && lastRange ? { trialRange: [firstRange[0], lastRange[1]] } : {}),
    },
  };
}

/** The parts' statistics, cut to `bins` bins and merged pairwise. */
function mergeStats(parts: Recording[], bins: number): RecordingStats {
  const merge = (pick: (s: RecordingStats) => TrialStats): TrialStats =>
    parts.map((r) => cutTrialStats(pick(r.stats), bins)).reduce((a, b) => mergeTrialStats(a, b));
  const first = parts[0].stats;
  const stats: RecordingStats = { activity: {}, inputs: {}, stp: {} };
  for (const name of Object.keys(first.activity)) stats.activity[name] = merge((s) => s.activity[name]);
  for (const name of Object.keys(first.inputs))
    stats.inputs[name] = { sampled: merge((s) => s.inputs[name].sampled), populationMean: merge((s) => s.inputs[name].populationMean) };
  for (const [proj, vars] of Object.entries(first.stp)) {
    stats.stp[proj] = {};
    for (const v of Object.keys(vars)) stats.stp[proj][v] = merge((s) => s.stp[proj][v]);
  }
  return stats;
}

/**
 * One Recording from parts that ran one after another (batches of a run, saved blocks), not side
 * by side: the threads are the most any part used and the set-up times and GPU batches add up,
 * where mergeRecordings, made for parts on parallel threads, adds the threads and keeps the
 * slowest set-up. A single part is returned as it is unless `always` asks for mergeRecordings'
 * copy (float64 arrays whatever the engine's, as any merge gives).
 */
export function mergeSequentialRecordings(parts: Recording[], always = false): Recording {
  if (parts.length === 1 && !always) return parts[0];
  const merged = mergeRecordings(parts);
  const numbers = (key: string) => parts.map((r) => r.engine[key]).filter((v): v is number => typeof v === 'number');
  const { threads: _threads, setupSeconds: _setup, batches: _batches, ...engine } = merged.engine;
  const threads = numbers('threads');
  const setup = numbers('setupSeconds');
  const batches = numbers('batches');
  return {
    ...merged,
    engine: {
      ...engine,
      ...(threads.length > 0 ? { threads: Math.max(...threads) } : {}),
      ...(setup.length > 0 ? { setupSeconds: setup.reduce((a, b) => a + b, 0) } : {}),
      ...(batches.length > 0 ? { batches: batches.reduce((a, b) => a + b, 0) } : {}),
    },
  };
}
