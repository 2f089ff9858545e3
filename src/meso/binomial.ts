/**
 * Binomial random variates for the mesoscopic population equations, and the Philox uniforms
 * that feed them.
 *
 * Small means use inversion by sequential search; large means use BTRS, the transformed
 * rejection with squeeze of W. Hörmann (1993), "The generation of binomial random variates",
 * J. Statist. Comput. Simul. 46:101–110, whose expected number of uniforms per draw is bounded
 * independently of n. Neither allocates, so a simulation can draw one count per population per
 * step in its inner loop.
 */
import { uniformFromBits } from '../rng/philox';
import { PhiloxBlockSource } from '../rng/philoxWasm';
import { purposeWord, seedWord } from '../rng/streams';

/** A source of uniform doubles in the open interval (0, 1). */
export interface UniformSource {
  next(): number;
}

const LN_FACTORIAL_TABLE_SIZE = 1024;
let lnFactorialTable: Float64Array | null = null;

function buildLnFactorialTable(): Float64Array {
  const table = new Float64Array(LN_FACTORIAL_TABLE_SIZE);
  for (let k = 2; k < LN_FACTORIAL_TABLE_SIZE; k++) table[k] = table[k - 1] + Math.log(k);
  return table;
}

const HALF_LN_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** lnFactorial without argument checks, for the rejection loop of BTRS. */
function lnFactorialUnchecked(k: number): number {
  if (k < LN_FACTORIAL_TABLE_SIZE) {
    if (lnFactorialTable === null) lnFactorialTable = buildLnFactorialTable();
    return lnFactorialTable[k];
  }
  // Stirling series ln k! = (k+½)ln k − k + ½ln 2π + Σ B₂ⱼ / (2j(2j−1)k^(2j−1)). From k = 1024 on,
  // the first omitted term is below 1e-28 of the result, so rounding is the only error.
  const r = 1 / k;
  const r2 = r * r;
  const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680))));
  return (k + 0.5) * Math.log(k) - k + HALF_LN_TWO_PI + series;
}

/** ln(k!) for an integer k ≥ 0 (relative error below 1e-14). */
export function lnFactorial(k: number): number {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
  return lnFactorialUnchecked(k);
}

const MAX_N = 2 ** 53;

/** One draw from Binomial(n, p), exact distribution (up to the resolution of rng's uniforms). */
export function sampleBinomial(n: number, p: number, rng: UniformSource): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_N) throw new RangeError(`n must be an integer in [0, 2^53], got ${n}`);
  if (!Number.isFinite(p)) throw new RangeError(`p must be finite, got ${p}`);
  if (n === 0 || p <= 0) return 0;
  if (p >= 1) return n;
  // Both methods below need p ≤ ½: inversion so that P(0) = qⁿ stays far from underflow, BTRS
  // because its hat constants were fitted for that range.
  if (p > 0.5) return n - sampleBinomialLowerHalf(n, 1 - p, rng);
  return sampleBinomialLowerHalf(n, p, rng);
}

function sampleBinomialLowerHalf(n: number, p: number, rng: UniformSource): number {
  return n * p < 10 ? binomialInversion(n, p, rng) : binomialBtrs(n, p, rng);
}

/**
 * Sequential search from k = 0; expected work O(n·p). With n·p < 10 and p ≤ ½,
 * qⁿ = exp(n·ln(1−p)) ≥ exp(−10·2ln2) ≈ 1e-6, so the start never underflows.
 */
function binomialInversion(n: number, p: number, rng: UniformSource): number {
  const oddsRatio = p / (1 - p);
  const probZero = Math.exp(n * Math.log1p(-p));
  for (;;) {
    const u = rng.next();
    let k = 0;
    let probK = probZero;
    let cdf = probZero;
    let exhausted = false;
    while (u > cdf) {
      // Rounding can leave the computed cdf short of u at the end of the support or deep in
      // the tail; drawing again costs a bias far below the uniforms' resolution, while
      // stopping there would pile the missing mass onto one value.
      if (k >= n) {
        exhausted = true;
        break;
      }
      probK *= ((n - k) / (k + 1)) * oddsRatio;
      k++;
      const nextCdf = cdf + probK;
      if (!(nextCdf > cdf)) {
        exhausted = true;
        break;
      }
      cdf = nextCdf;
    }
    if (!exhausted) return k;
  }
}

/**
 * BTRS of Hörmann (1993), for p ≤ ½ and n·p ≥ 10. A point (U, V) under a hat built from the
 * transformation k = ⌊(2a/u_s + b)·U + c⌋ is accepted when V falls below the binomial pmf at k
 * relative to the mode m; the box [u_s ≥ 0.07] × [V ≤ v_r] lies under the pmf everywhere, so
 * most draws accept without a logarithm. Each try takes two uniforms and accepts with
 * probability from about 0.7 at n·p = 10 up to about 0.89 for large n·p, so a draw costs 2.3–2.8
 * uniforms on average whatever n is.
 */
function binomialBtrs(n: number, p: number, rng: UniformSource): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vR = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const logOdds = Math.log(p / q);
  const mode = Math.floor((n + 1) * p);
  const lnPmfModeTerms = lnFactorialUnchecked(mode) + lnFactorialUnchecked(n - mode);
  for (;;) {
    const u = rng.next() - 0.5;
    let v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vR) return k;
    // v·alpha/(a/us² + b) is V scaled by the hat density at U, so the comparison is with
    // pmf(k)/pmf(m) written in logs: ln m! + ln (n−m)! − ln k! − ln (n−k)! + (k−m)·ln(p/q).
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const lnPmfRatio = lnPmfModeTerms - lnFactorialUnchecked(k) - lnFactorialUnchecked(n - k) + (k - mode) * logOdds;
    if (v <= lnPmfRatio) return k;
  }
}

const UINT32_LIMIT = 2 ** 32;

function uint32Word(name: string, x: number): number {
  if (!Number.isInteger(x) || x < 0 || x >= UINT32_LIMIT) {
    throw new RangeError(`${name} must be an integer in [0, 4294967295], got ${x}`);
  }
  return x >>> 0;
}

/**
 * Uniforms of one draw site from Philox 4x32-10 (docs/rng.md): key (seed, stream), counter
 * (block, step, trial, purposeWord(purpose, 0)) for block = 0, 1, 2, …, each block's words
 * 0..3 in order through uniformFromBits. A GPU twin can therefore reproduce any draw from its
 * (step, trial) alone, without replaying earlier ones.
 *
 * The uniforms have 23-bit resolution, so BTRS's map from U to k hits each k from a lattice of
 * about 1/(2.53·√(npq)·2⁻²³) points; cell probabilities stay exact to that relative granularity
 * (about 3e-5 at npq = 1e4).
 */
export class PhiloxUniforms implements UniformSource {
  private readonly key = new Uint32Array(2);
  /** (block, step, trial, purpose word); the block is the word of the next block to generate. */
  private readonly counter = new Uint32Array(4);
  /** The blocks, from WebAssembly where available (the same bits as philox4x32Into, ~20× cheaper). */
  private readonly blocks = new PhiloxBlockSource();
  /** The current block: the first 4 words of the view `blocks` returned. */
  private words: Uint32Array = new Uint32Array(4);
  /** Index into words of the next uniform; 4 when the block is spent. */
  private wordIndex = 4;
  private blocksDrawn = 0;
  private uniformsUsed = 0;

  constructor(seed: number, stream: number, purpose: number) {
    this.key[0] = seedWord(seed);
    this.key[1] = uint32Word('stream', stream);
    this.counter[3] = purposeWord(purpose, 0);
    this.reset(0, 0);
  }

  reset(step: number, trial: number): void {
    this.counter[1] = uint32Word('step', step);
    this.counter[2] = uint32Word('trial', trial);
    this.blocksDrawn = 0;
    this.wordIndex = 4;
    this.uniformsUsed = 0;
  }

  next(): number {
    if (this.wordIndex === 4) {
      // Wrapping the block word would replay the site's first uniforms.
      if (this.blocksDrawn >= UINT32_LIMIT) throw new RangeError('PhiloxUniforms: more than 2^32 blocks drawn at one (step, trial)');
      const c = this.counter;
      c[0] = this.blocksDrawn++;
      this.words = this.blocks.fill(c[0], 1, c[1], c[2], c[3], this.key[0], this.key[1]);
      this.wordIndex = 0;
    }
    this.uniformsUsed++;
    return uniformFromBits(this.words[this.wordIndex++]);
  }

  /** Number of uniforms consumed since the last reset. */
  get used(): number {
    return this.uniformsUsed;
  }
}
