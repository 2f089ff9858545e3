/**
 * The statistics across trials (src/model/trialStats.ts): partial results merged by Chan et
 * al.'s update agree with one two-pass computation over all trials, where a sum-of-squares
 * formula loses the variance to cancellation; and the Recording-level helpers built on them.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { mergeRecordings } from '../../../src/model/mergeRecordings';
import type { Recording } from '../../../src/model/recording';
import { keepLeadingTrials, statsFromArrays } from '../../../src/model/recordingStats';
import { parseScenario } from '../../../src/model/validate';
import { cutTrialStats, meanM2, mergeMeanM2, mergeTrialStats, runAverage, statsFromTrials, trialVariance } from '../../../src/model/trialStats';

/** Values 20 ± 1e-4 with a trend over bins: a large mean, a tiny spread. */
function data(trials: number, rows: number, bins: number, seed: string): Float64Array {
  const rng = seedrandom(seed);
  return Float64Array.from({ length: trials * rows * bins }, (_, i) => 20 + 0.01 * (i % bins) + 1e-4 * (rng() - 0.5));
}

/** Mean and M2 per entry by the textbook two-pass formula, over the trials [from, to). */
function direct(a: Float64Array, from: number, to: number, width: number, i: number): { mean: number; m2: number } {
  let s = 0;
  for (let t = from; t < to; t++) s += a[t * width + i];
  const mean = s / (to - from);
  let m2 = 0;
  for (let t = from; t < to; t++) m2 += (a[t * width + i] - mean) ** 2;
  return { mean, m2 };
}

describe('trial statistics', () => {
  it('statsFromTrials is the two-pass mean and M2 of every row and bin, and of each trial average', () => {
    const [T, rows, bins] = [37, 3, 11];
    const a = data(T, rows, bins, 'one');
    const s = statsFromTrials(a, T, rows, bins);
    expect(s.count).toBe(T);
    for (let i = 0; i < rows * bins; i++) {
      const d = direct(a, 0, T, rows * bins, i);
      expect(s.mean[i]).toBeCloseTo(d.mean, 13);
      expect(Math.abs(s.m2[i] / d.m2 - 1)).toBeLessThan(1e-9);
    }
    const averages = Array.from({ length: T }, (_, t) => a.subarray(t * rows * bins, (t + 1) * rows * bins).reduce((x, y) => x + y, 0) / (rows * bins));
    const m = meanM2(averages);
    expect(s.average.mean).toBeCloseTo(m.mean, 13);
    expect(s.average.m2).toBeCloseTo(m.m2, 18);
  });

  it("Chan's merge of unequal parts equals one pass over all trials, where Σx² − n·mean² does not", () => {
    const [rows, bins] = [2, 7];
    const cuts = [0, 1, 14, 15, 200, 1003];
    const T = cuts[cuts.length - 1];
    const a = data(T, rows, bins, 'two');
    const parts = cuts.slice(1).map((to, k) => statsFromTrials(a.subarray(cuts[k] * rows * bins, to * rows * bins), to - cuts[k], rows, bins));
    const merged = parts.reduce((x, y) => mergeTrialStats(x, y));
    const whole = statsFromTrials(a, T, rows, bins);
    expect(merged.count).toBe(T);
    let naiveWorst = 0;
    for (let i = 0; i < rows * bins; i++) {
      const d = direct(a, 0, T, rows * bins, i);
      expect(Math.abs(merged.mean[i] - d.mean)).toBeLessThan(1e-12);
      expect(Math.abs(merged.m2[i] / d.m2 - 1)).toBeLessThan(1e-8);
      expect(Math.abs(whole.m2[i] / d.m2 - 1)).toBeLessThan(1e-8);
      // The naive merge keeps Σx and Σx² per part: with a mean of 20 and a spread of 1e-4, nothing of M2 survives.
      let s = 0;
      let s2 = 0;
      for (let t = 0; t < T; t++) {
        s += a[t * rows * bins + i];
        s2 += a[t * rows * bins + i] ** 2;
      }
      naiveWorst = Math.max(naiveWorst, Math.abs((s2 - (s * s) / T) / d.m2 - 1));
    }
    expect(naiveWorst).toBeGreaterThan(1e-3);
    expect(merged.average.mean).toBeCloseTo(whole.average.mean, 12);
    expect(Math.abs(merged.average.m2 / whole.average.m2 - 1)).toBeLessThan(1e-8);
    expect(trialVariance(merged, 3)).toBeCloseTo(whole.m2[3] / (T - 1), 18);
  });

  it('merges scalars the same way, and an empty part is the identity', () => {
    const x = [3, 4, 5, 10, -2];
    const m = mergeMeanM2(meanM2(x.slice(0, 2)), meanM2(x.slice(2)));
    const d = meanM2(x);
    expect(m.mean).toBeCloseTo(d.mean, 14);
    expect(m.m2).toBeCloseTo(d.m2, 12);
    expect(mergeMeanM2({ count: 0, mean: NaN, m2: NaN }, d)).toEqual(d);
  });

  it('cutting bins keeps every row’s first bins and drops the run-wide averages, which covered the longer range', () => {
    const s = statsFromTrials(data(5, 2, 6, 'three'), 5, 2, 6);
    const c = cutTrialStats(s, 4);
    expect(Array.from(c.mean)).toEqual([...s.mean.subarray(0, 4), ...s.mean.subarray(6, 10)]);
    expect(c.average.mean).toBeNaN();
    expect(runAverage(c).sem).toBeNull();
  });
});

/** A recording of `trials` trials with made-up arrays (one population, one sampled input, one STP variable). */
function recording(trials: number, from: number, seed: string): Recording {
  const scenario = parseScenario({
    name: 'stats',
    populations: {
      P: { model: 'poisson', N: 3, rate: { type: 'constant', value: 5 } },
      L: { model: 'lif', N: 2, tauM: 0.02, mu: { type: 'constant', value: 0 }, uReset: 0, tRef: 0, uTh: 10 },
    },
    run: { dt: 0.001, duration: 0.004, trials: 100 },
    record: { inputs: [{ population: 'L', neurons: 2 }] },
  });
  const bins = 4;
  const activity = { P: data(trials, 1, bins, `${seed}a`), L: data(trials, 1, bins, `${seed}b`) };
  const inputs = { L: { neurons: Int32Array.from([0, 1]), sampled: data(trials, 2, bins, `${seed}c`), populationMean: data(trials, 1, bins, `${seed}d`) } };
  const stp = { 'P->L': { x: data(trials, 1, bins, `${seed}e`) } };
  const trial = Int32Array.from({ length: trials }, (_, t) => t);
  const r: Omit<Recording, 'stats'> = {
    level: 'micro-cpu',
    scenario,
    trials,
    keptTrials: trials,
    dt: 0.001,
    steps: 4,
    completedSteps: 4,
    cancelled: false,
    binSize: 0.001,
    bins,
    activity,
    inputs,
    stp,
    spikes: { P: { neurons: Int32Array.from([0]), trial, neuron: new Int32Array(trials), time: new Float64Array(trials) } },
    wallSeconds: 0,
    engine: { trialRange: [from, from + trials] },
  };
  return { ...r, stats: statsFromArrays(r) };
}

describe('recordings in stats mode', () => {
  it('keepLeadingTrials keeps the first trials’ arrays and spikes, and every trial’s statistics', () => {
    const r = recording(6, 0, 'k');
    const k = keepLeadingTrials(r, 2);
    expect(k.keptTrials).toBe(2);
    expect(k.trials).toBe(6);
    expect(Array.from(k.inputs.L.sampled)).toEqual(Array.from(r.inputs.L.sampled.subarray(0, 2 * 2 * 4)));
    expect(Array.from(k.spikes.P.trial)).toEqual([0, 1]);
    expect(k.stats).toBe(r.stats);
  });

  it('mergeRecordings concatenates the kept trials and merges the statistics of parts that kept fewer', () => {
    const a = recording(5, 0, 'x');
    const b = recording(7, 5, 'y');
    const all = mergeRecordings([a, b]);
    const kept = mergeRecordings([keepLeadingTrials(b, 0), keepLeadingTrials(a, 3)]);
    expect(kept.trials).toBe(12);
    expect(kept.keptTrials).toBe(3);
    expect(Array.from(kept.activity.P)).toEqual(Array.from(a.activity.P.subarray(0, 12)));
    expect(Array.from(kept.spikes.P.trial)).toEqual([0, 1, 2]);
    for (const [got, want] of [
      [kept.stats.activity.L, all.stats.activity.L],
      [kept.stats.inputs.L.sampled, all.stats.inputs.L.sampled],
      [kept.stats.stp['P->L'].x, all.stats.stp['P->L'].x],
    ]) {
      expect(got.count).toBe(12);
      for (let i = 0; i < got.mean.length; i++) {
        expect(got.mean[i]).toBeCloseTo(want.mean[i], 12);
        expect(Math.abs(got.m2[i] / want.m2[i] - 1)).toBeLessThan(1e-8);
      }
      expect(Math.abs(got.average.m2 / want.average.m2 - 1)).toBeLessThan(1e-8);
    }
    // Every trial kept: the statistics are those of the merged arrays, exactly.
    expect(all.stats.inputs.L.sampled).toEqual(statsFromArrays(all).inputs.L.sampled);
    expect(() => mergeRecordings([keepLeadingTrials(a, 2), b])).toThrow(/kept trials are not the leading trials/);
  });
});
