/** Shared helpers of the meso tests (not a test file). */
import { compilePopulation } from '../../../src/compile';
import type { Recording } from '../../../src/model/recording';
import { scenario } from '../microCpu/support';

export const dt = 5e-4;
export const glif = (N: number, mu: number, extra: Record<string, unknown> = {}) => ({
  model: 'glif' as const,
  N,
  tauM: 0.02,
  mu: { type: 'constant' as const, value: mu },
  uReset: 0,
  tRef: 0.004,
  c: 10,
  deltaU: 2,
  uTh: 15,
  ...extra,
});

/** The compiled plan of one population (defaults filled in by the scenario parser). */
export function planOf(pop: ReturnType<typeof glif>) {
  return compilePopulation('g', 0, scenario({ populations: { g: pop }, run: { dt, duration: 0.1, seed: 1 } }).populations.g, dt);
}

/** Time average over bins [from, to) of the across-trial mean and s.d. of a [trials × bins] array. */
export function trialStats(a: ArrayLike<number>, trials: number, bins: number, from: number, to: number): { mean: number; sd: number } {
  let m = 0;
  let s = 0;
  for (let b = from; b < to; b++) {
    let s1 = 0;
    let s2 = 0;
    for (let t = 0; t < trials; t++) {
      const x = a[t * bins + b];
      s1 += x;
      s2 += x * x;
    }
    const mu = s1 / trials;
    m += mu;
    s += Math.sqrt((s2 - trials * mu * mu) / (trials - 1));
  }
  return { mean: m / (to - from), sd: s / (to - from) };
}

/** Input of sampled neuron 0 of a population: [trials × bins]. */
export function neuron0(r: Recording, pop: string): Float64Array {
  const rec = r.inputs[pop];
  const m = rec.neurons.length;
  const out = new Float64Array(r.trials * r.bins);
  for (let t = 0; t < r.trials; t++) out.set(rec.sampled.subarray(t * m * r.bins, (t * m + 1) * r.bins), t * r.bins);
  return out;
}
