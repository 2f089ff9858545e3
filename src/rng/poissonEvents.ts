/**
 * Event-driven Poisson sources (docs/rng.md, "Poisson sources"): a step of N independent
 * Bernoulli(p) neurons costs O(1 + spikes) random numbers instead of N.
 *
 * The set of neurons that spike in one step of one trial is drawn in two stages that together
 * have exactly the law of N independent Bernoulli(p) draws:
 *   1. the count K ~ Binomial(N, p), by inversion of its CDF against one uniform;
 *   2. K distinct neurons, uniformly: indices drawn uniformly from [0, N) (Lemire's exact
 *      multiply-and-reject), a repeat drawn again; given K, every K-subset is equally likely.
 *
 * Both engines walk the same stream of Philox words, key (seed, population), counter
 * (block, step, trial, purpose poissonEvents): word 0 inverts the CDF, words 1, 2, … give
 * indices (a rejected or repeated index consumes its word). The CDF is a float32 table built
 * here once in float64 and handed to both engines (the GPU engine writes it into its control
 * buffer), so the comparisons u ≥ F(k) are the same float32 comparisons on the CPU and the GPU,
 * and the two engines draw identical spike trains.
 *
 * The table ends where F rounds to 1 in float32: counts beyond are cut, which changes
 * probabilities by less than the uniforms' resolution 2⁻²⁴ (docs/rng.md). The scheme is used when
 * the count stays small (`usesPoissonEvents`); a dense population (N·p large) keeps one draw per
 * neuron, where the event scheme would save nothing.
 */
import { mulhi32, philox4x32Into, uniformFromBits } from './philox';
import { Purpose, purposeWord } from './streams';

/** Longest CDF table, hence the most spikes a population may emit per step and trial under the event scheme. */
export const POISSON_EVENTS_MAX_K = 64;
/** Below this size one Philox block per four neurons is as cheap as the event scheme. */
export const POISSON_EVENTS_MIN_N = 16;

/**
 * F(k) = P(K ≤ k) for K ~ Binomial(N, p), k = 0, 1, …, as float32, up to (not including) the
 * first k whose F rounds to 1; null when that table would be longer than `maxLength`.
 * p = 0 gives an empty table (no neuron ever spikes, and no word is drawn).
 */
export function binomialCdfTable(N: number, p: number, maxLength = POISSON_EVENTS_MAX_K): Float32Array | null {
  if (!(p > 0)) return new Float32Array(0);
  if (!(p < 1)) return null;
  const ratio = p / (1 - p);
  // P(K = 0) in float64 via log1p keeps its digits for p ≪ 1; it underflows only where N·p is
  // in the hundreds, and then the table is too long anyway.
  let pmf = Math.exp(N * Math.log1p(-p));
  if (!(pmf > 0)) return null;
  let cdf = pmf;
  const out: number[] = [];
  for (let k = 0; Math.fround(cdf) < 1 && k < N; k++) {
    if (out.length === maxLength) return null;
    out.push(cdf);
    pmf *= ((N - k) / (k + 1)) * ratio;
    cdf += pmf;
  }
  return Float32Array.from(out);
}

/** The spike probability of a Poisson neuron in one step of rate r: 1 − e^{−r·dt}, in float64. */
export function poissonStepProbability(rate: number, dt: number): number {
  return -Math.expm1(-rate * dt);
}

/**
 * Whether a Poisson population of N neurons whose step probability never exceeds `pMax` uses
 * the event scheme. Both engines ask this one function, so they pick the same scheme. The
 * table at pMax must fit with room to spare: tables at smaller p are never longer (the
 * binomial tail grows with p), and the margin absorbs rounding at the boundary.
 */
export function usesPoissonEvents(N: number, pMax: number): boolean {
  return N >= POISSON_EVENTS_MIN_N && pMax < 0.5 && binomialCdfTable(N, pMax, POISSON_EVENTS_MAX_K - 4) !== null;
}

/** The counter's last word of the event draws (purpose poissonEvents, block 0). */
export const POISSON_EVENTS_WORD = purposeWord(Purpose.poissonEvents);

/**
 * One step of one trial of an event-scheme population, on the CPU: writes the spiking neurons,
 * in increasing order, to `out` (at least POISSON_EVENTS_MAX_K long) and returns how many.
 * `words` is a reusable 4-word scratch array.
 */
export function drawPoissonEvents(
  table: Float32Array,
  N: number,
  seed: number,
  population: number,
  step: number,
  trial: number,
  words: Uint32Array,
  out: Int32Array,
): number {
  if (table.length === 0) return 0;
  let block = 0;
  philox4x32Into(0, step, trial, POISSON_EVENTS_WORD, seed, population, words);
  const u = uniformFromBits(words[0]);
  let K = 0;
  while (K < table.length && u >= table[K]) K++;
  // Indices with Lemire's method: the high word of w·N is uniform on [0, N) once the low words
  // below (2³² − N) mod N are rejected.
  const reject = (2 ** 32 - N) % N;
  let lane = 1;
  let m = 0;
  while (m < K) {
    if (lane === 4) {
      philox4x32Into(++block, step, trial, POISSON_EVENTS_WORD, seed, population, words);
      lane = 0;
    }
    const w = words[lane++];
    if (Math.imul(w, N) >>> 0 < reject) continue;
    const i = mulhi32(w, N);
    let j = m;
    while (j > 0 && out[j - 1] > i) j--;
    if (j > 0 && out[j - 1] === i) continue;
    out.copyWithin(j + 1, j, m);
    out[j] = i;
    m++;
  }
  return K;
}

/**
 * The CDF tables of one population along a run, cached on the last step probability (a
 * constant or piecewise-constant rate builds one table per level, not one per step).
 */
export class PoissonEventTables {
  private lastP = Number.NaN;
  private last: Float32Array = new Float32Array(0);

  constructor(private readonly N: number) {}

  forProbability(p: number): Float32Array {
    if (p !== this.lastP) {
      const t = binomialCdfTable(this.N, p);
      if (t === null) {
        throw new Error(
          `internal: a step probability ${p} of a Poisson population of ${this.N} neurons exceeds the event scheme's table (${POISSON_EVENTS_MAX_K} spikes per step)`,
        );
      }
      this.last = t;
      this.lastP = p;
    }
    return this.last;
  }
}
