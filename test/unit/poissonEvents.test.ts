/**
 * The event scheme of Poisson sources (src/rng/poissonEvents.ts): the CDF table against exact
 * binomial probabilities, the documented word stream against an independent implementation,
 * and the law of the draws (counts per step, per-neuron rates, pairwise independence) by χ²
 * tests with fixed keys, each shown to reject a distorted sampler.
 */
import { describe, expect, it } from 'vitest';
import { philox4x32, uniformFromBits } from '../../src/rng/philox';
import {
  binomialCdfTable,
  drawPoissonEvents,
  POISSON_EVENTS_MAX_K,
  POISSON_EVENTS_MIN_N,
  poissonStepProbability,
  usesPoissonEvents,
} from '../../src/rng/poissonEvents';
import { Purpose, purposeWord } from '../../src/rng/streams';

/** Binomial pmf by exact products in float64 (no recurrence), for checking the table. */
function binomialPmf(N: number, p: number, k: number): number {
  let logC = 0;
  for (let j = 1; j <= k; j++) logC += Math.log((N - k + j) / j);
  return Math.exp(logC + k * Math.log(p) + (N - k) * Math.log1p(-p));
}

/**
 * Upper critical value of χ² with `df` degrees of freedom at significance 1e-4
 * (Wilson–Hilferty: χ²/df ≈ (1 − 2/(9df) + z·√(2/(9df)))³, z = 3.719).
 */
function chi2Critical(df: number): number {
  const a = 2 / (9 * df);
  return df * (1 - a + 3.719 * Math.sqrt(a)) ** 3;
}

/** χ² of observed counts against expected ones, cells with expectation < 5 pooled into their neighbour. */
function chi2(observed: number[], expected: number[]): { stat: number; df: number } {
  const o: number[] = [];
  const e: number[] = [];
  let po = 0;
  let pe = 0;
  for (let k = 0; k < observed.length; k++) {
    po += observed[k];
    pe += expected[k];
    if (pe >= 5) {
      o.push(po);
      e.push(pe);
      po = 0;
      pe = 0;
    }
  }
  if (pe > 0) {
    o[o.length - 1] += po;
    e[e.length - 1] += pe;
  }
  let stat = 0;
  for (let k = 0; k < o.length; k++) stat += (o[k] - e[k]) ** 2 / e[k];
  return { stat, df: o.length - 1 };
}

/** Runs `draws` steps × trials of one population and hands each step's spiking neurons to `visit`. */
function sample(N: number, p: number, draws: number, seed: number, visit: (chosen: Int32Array, K: number) => void): void {
  const table = binomialCdfTable(N, p);
  if (!table) throw new Error('no table');
  const words = new Uint32Array(4);
  const out = new Int32Array(POISSON_EVENTS_MAX_K);
  for (let d = 0; d < draws; d++) visit(out, drawPoissonEvents(table, N, seed, 3, d >>> 4, d & 15, words, out));
}

describe('binomialCdfTable', () => {
  it('holds the binomial CDF in float32 up to where it rounds to 1', () => {
    for (const [N, p] of [
      [1000, 0.001],
      [100, 0.0392],
      [16, 0.1],
      [5000, 0.002],
    ]) {
      const t = binomialCdfTable(N, p);
      expect(t).not.toBeNull();
      if (!t) continue;
      let F = 0;
      for (let k = 0; k < t.length; k++) {
        F += binomialPmf(N, p, k);
        expect(Math.abs(t[k] - F), `N ${N} p ${p} k ${k}`).toBeLessThanOrEqual(6e-8 * F + 1e-12);
      }
      // The next value of F rounds to 1 in float32: the cut-off tail is below the uniforms' resolution.
      F += binomialPmf(N, p, t.length);
      expect(Math.fround(F)).toBe(1);
      expect(1 - F).toBeLessThan(2 ** -24);
    }
  });

  it('is empty at p = 0 and refuses p ≥ 1 and counts beyond its length', () => {
    expect(binomialCdfTable(100, 0)?.length).toBe(0);
    expect(binomialCdfTable(100, 1)).toBeNull();
    expect(binomialCdfTable(10000, 0.1)).toBeNull();
  });

  it('usesPoissonEvents: sparse populations of at least 16 neurons, dense ones keep one draw per neuron', () => {
    expect(usesPoissonEvents(1000, poissonStepProbability(10, 1e-4))).toBe(true);
    expect(usesPoissonEvents(POISSON_EVENTS_MIN_N - 1, 0.01)).toBe(false);
    expect(usesPoissonEvents(400, poissonStepProbability(200, 5e-4))).toBe(false);
    expect(usesPoissonEvents(100000, poissonStepProbability(10, 1e-4))).toBe(false);
  });
});

describe('drawPoissonEvents', () => {
  it('follows the documented word stream (an independent implementation with BigInt)', () => {
    const N = 1000;
    const p = 0.004;
    const table = binomialCdfTable(N, p);
    if (!table) throw new Error('no table');
    const words = new Uint32Array(4);
    const out = new Int32Array(POISSON_EVENTS_MAX_K);
    let spikes = 0;
    for (let trial = 0; trial < 20; trial++) {
      for (let n = 0; n < 200; n++) {
        const block = (b: number) => philox4x32([b, n, trial, purposeWord(Purpose.poissonEvents)], [42, 5]);
        const stream: number[] = [];
        for (let b = 0; stream.length < 200; b++) stream.push(...block(b));
        const u = uniformFromBits(stream[0]);
        let K = 0;
        while (K < table.length && u >= table[K]) K++;
        const chosen = new Set<number>();
        const limit = (2n ** 32n - BigInt(N)) % BigInt(N);
        for (let w = 1; chosen.size < K; w++) {
          const m = BigInt(stream[w]) * BigInt(N);
          if (m % 2n ** 32n < limit) continue;
          chosen.add(Number(m >> 32n));
        }
        const expected = [...chosen].sort((a, b) => a - b);
        const got = drawPoissonEvents(table, N, 42, 5, n, trial, words, out);
        expect(Array.from(out.subarray(0, got))).toEqual(expected);
        spikes += got;
      }
    }
    expect(spikes).toBeGreaterThan(3000);
  });

  const N = 1000;
  const p = 0.003;
  const draws = 200000;
  const counts = new Array(20).fill(0);
  const perNeuron = new Float64Array(N);
  sample(N, p, draws, 9, (chosen, K) => {
    counts[Math.min(K, 19)]++;
    for (let m = 0; m < K; m++) perNeuron[chosen[m]]++;
  });

  it('draws the count of each step from Binomial(N, p) (χ² at 1e-4; a 5 % higher p is rejected)', () => {
    const expected = (q: number) =>
      counts.map((_, k) => draws * (k < 19 ? binomialPmf(N, q, k) : 1 - Array.from({ length: 19 }, (_, j) => binomialPmf(N, q, j)).reduce((a, b) => a + b)));
    const good = chi2(counts, expected(p));
    expect(good.stat).toBeLessThan(chi2Critical(good.df));
    const bad = chi2(counts, expected(1.05 * p));
    expect(bad.stat).toBeGreaterThan(chi2Critical(bad.df));
  });

  it('gives every neuron the rate p (χ² over neurons at 1e-4; the first 100 neurons 15 % more likely is rejected)', () => {
    const e = draws * p; // expected spikes per neuron
    const ok = chi2(Array.from(perNeuron), new Array(N).fill(e));
    expect(ok.stat).toBeLessThan(chi2Critical(ok.df));
    const distorted = Array.from(perNeuron);
    for (let i = 0; i < 100; i++) {
      distorted[i] += 0.15 * e;
      distorted[i + 100] -= 0.15 * e;
    }
    const bad = chi2(distorted, new Array(N).fill(e));
    expect(bad.stat).toBeGreaterThan(chi2Critical(bad.df));
  });

  it('spikes neurons independently: co-spikes of every pair of 16 neurons at p² (χ² at 1e-4; index draws with repeats are rejected)', () => {
    const n = 16;
    const q = 0.15;
    expect(usesPoissonEvents(n, q)).toBe(true);
    const pairs = (withRepeats: boolean) => {
      const co = new Array((n * (n - 1)) / 2).fill(0);
      const steps = 100000;
      sample(n, q, steps, 4, (chosen, K) => {
        // The distorted sampler keeps K but lets an index repeat (a neuron spiking "twice" and a pair missing).
        const set = withRepeats && K >= 2 ? [chosen[0], chosen[0], ...chosen.subarray(2, K)] : Array.from(chosen.subarray(0, K));
        const uniq = [...new Set(set)].sort((a, b) => a - b);
        for (let a = 0; a < uniq.length; a++)
          for (let b = a + 1; b < uniq.length; b++) co[uniq[a] * n - (uniq[a] * (uniq[a] + 1)) / 2 + (uniq[b] - uniq[a] - 1)]++;
      });
      return chi2(co, new Array(co.length).fill(steps * q * q));
    };
    const ok = pairs(false);
    expect(ok.stat).toBeLessThan(chi2Critical(ok.df));
    const bad = pairs(true);
    expect(bad.stat).toBeGreaterThan(chi2Critical(bad.df));
  });

  it('returns neurons in increasing order, distinct, within [0, N)', () => {
    sample(50, 0.05, 20000, 1, (chosen, K) => {
      for (let m = 0; m < K; m++) {
        expect(chosen[m]).toBeGreaterThanOrEqual(m === 0 ? 0 : chosen[m - 1] + 1);
        expect(chosen[m]).toBeLessThan(50);
      }
    });
  });
});
