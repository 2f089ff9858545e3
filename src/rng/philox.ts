/**
 * Philox 4x32-10, the counter-based generator of Salmon, Moraes, Dror & Shaw (2011),
 * "Parallel random numbers: as easy as 1, 2, 3", SC'11. Twin of shaders/lib/philox.wgsl:
 * the two must agree bit for bit (test/gpu/philox.gpu.test.ts).
 *
 * A draw is a pure function of (key, counter), so any neuron, synapse, step or trial can
 * draw its numbers in any order, on any device, and get the same values. See ./streams.ts
 * for how mesostp lays out keys and counters.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
export const PHILOX_ROUNDS = 10;

/** High 32 bits of the 64-bit product a·b of two unsigned 32-bit integers. */
export function mulhi32(a: number, b: number): number {
  // 16-bit limbs keep every partial product below 2^32, so doubles hold them exactly.
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = ((aL * bL) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
}

/**
 * Philox4x32-10 of counter (c0..c3) under key (k0, k1), written into `out[offset..offset+3]`.
 * Allocation-free: engines call it in their inner loops.
 */
export function philox4x32Into(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array, offset = 0): void {
  c0 >>>= 0;
  c1 >>>= 0;
  c2 >>>= 0;
  c3 >>>= 0;
  k0 >>>= 0;
  k1 >>>= 0;
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[offset] = c0;
  out[offset + 1] = c1;
  out[offset + 2] = c2;
  out[offset + 3] = c3;
}

export type Counter4 = readonly [number, number, number, number];
export type Key2 = readonly [number, number];

/** Convenience form of philox4x32Into that returns a fresh array. */
export function philox4x32(counter: Counter4, key: Key2): Uint32Array {
  const out = new Uint32Array(4);
  philox4x32Into(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
  return out;
}

const TWO_POW_M23 = 2 ** -23;

/**
 * Uniform on the open interval (0, 1) from one 32-bit word: (⌊x / 2⁹⌋ + ½) · 2⁻²³.
 * Every value is exactly representable in float32 (24 significant bits), so the WGSL twin
 * returns the identical number, and it is never 0 or 1 (log(u) is always finite).
 */
export function uniformFromBits(x: number): number {
  return ((x >>> 9) + 0.5) * TWO_POW_M23;
}

/**
 * Two standard normals from two words by the Box–Muller transform
 * (z0, z1) = √(−2 ln u0) · (cos 2πu1, sin 2πu1), written into out[offset], out[offset+1].
 * In float64 here; the WGSL twin computes the same formula in float32, so the two agree to
 * float32 rounding, not bit for bit.
 */
export function normalPairFromBits(x0: number, x1: number, out: Float64Array | Float32Array, offset = 0): void {
  const r = Math.sqrt(-2 * Math.log(uniformFromBits(x0)));
  const theta = 2 * Math.PI * uniformFromBits(x1);
  out[offset] = r * Math.cos(theta);
  out[offset + 1] = r * Math.sin(theta);
}
