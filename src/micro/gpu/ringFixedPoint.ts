/**
 * Accumulating a step's synaptic events without float atomics. WGSL has atomic<i32> only, so
 * each event J·w·kickScale is rounded to an integer multiple of 1/scale and added with
 * atomicAdd. Integer addition is associative: the sum of a step's events is the same whatever
 * order the GPU adds them in, so a run is reproducible bit for bit.
 *
 * The scale is a power of two chosen per projection so that the largest possible sum in one
 * ring slot, (largest in-degree) × (largest |J·w·kickScale|, with w ≤ 1), stays within
 * 2^30 < 2^31: overflow cannot happen by construction, and no range check is needed at run
 * time. Every event is off by at most 1/(2·scale); a slot's error by at most
 * (its events)/(2·scale), relative to the largest kick at most in-degree · 2^−31.
 */

/** Sums in a slot stay below this bound (half the i32 range: room for rounding of the f32 scale). */
export const FIXED_POINT_RANGE = 2 ** 30;

export interface FixedPoint {
  /** Integers per unit of the ring's value (a power of two). */
  scale: number;
  /** Largest error of one event, in the ring's unit: 1/(2·scale). */
  eventError: number;
}

/**
 * The scale for a projection whose targets receive at most `maxInDegree` events per step, each
 * of magnitude at most `maxKick` (|J|·kickScale, efficacies being ≤ 1).
 */
export function fixedPointFor(maxInDegree: number, maxKick: number): FixedPoint {
  if (!(maxInDegree >= 0) || !(maxKick >= 0) || !Number.isFinite(maxKick)) {
    throw new RangeError(`fixed-point accumulation needs a finite kick bound, got in-degree ${maxInDegree}, kick ${maxKick}`);
  }
  const bound = Math.max(1, maxInDegree) * maxKick;
  // 2^-30 … 2^62 keeps the scale a normal float32 power of two.
  const exponent = bound > 0 ? Math.max(-30, Math.min(62, Math.floor(Math.log2(FIXED_POINT_RANGE / bound)))) : 0;
  const scale = 2 ** exponent;
  return { scale, eventError: 0.5 / scale };
}

/** Largest number of synapses onto one target (the in-degree) of a CSR target list. */
export function maxInDegree(targets: Int32Array, nPost: number): number {
  const count = new Int32Array(nPost);
  let max = 0;
  for (let s = 0; s < targets.length; s++) {
    const c = ++count[targets[s]];
    if (c > max) max = c;
  }
  return max;
}
