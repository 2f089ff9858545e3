/**
 * e^x and 1 − e^{−y} for the hazard of the meso step (population.ts), which evaluates one of each
 * per occupied age bin and step: about 250 bins at dt = 0.5 ms, τm = 20 ms. Math.exp and
 * Math.expm1 are calls into C++ that cost ~33 ns per bin together in that loop on the benchmark
 * machine, three quarters of it; these are straight-line arithmetic that TurboFan inlines, ~20 ns
 * per bin (docs/meso.md, "Cost").
 *
 * Both are accurate to rounding, not bit-identical to Math.exp and Math.expm1 (which are fdlibm's
 * and themselves within 1 ulp of the true value): fastExp is within 1 ulp of Math.exp and equal to
 * it for ~90 % of arguments, oneMinusExpNeg within 1 ulp of −Math.expm1(−y)
 * (test/unit/meso/hazardMath.test.ts). Arguments outside the ranges written out here (huge,
 * infinite, NaN; y > 2⁻⁷) go to Math.exp and Math.expm1.
 */

/** Table size: x = (32m + j)·ln2/32 + r with |r| ≤ ln2/64. */
const N = 32;
/** 2^{j/32} rounded to nearest, and the remainder 2^{j/32} − EXP2_HI[j] (test/unit/meso/hazardMath.test.ts recomputes both). */
// biome-ignore format: a table, four entries a row
export const EXP2_HI = Float64Array.of(
  1, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237,
  1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
  1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
  1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: 2^{16/32}, a table entry like the others
  1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228,
  1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
  1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072,
  1.8340080864093424, 1.8741676341103, 1.9152065613971474, 1.9571441241754002,
);
// biome-ignore format: a table, four entries a row
export const EXP2_LO = Float64Array.of(
  0, 5.109225028973444e-17, 8.551889705537965e-17, -7.899853966841582e-17,
  -3.046782079812471e-17, 1.0410278456845571e-16, 8.912812676025408e-17, 3.8292048369240935e-17,
  3.982015231465646e-17, -7.712630692681488e-17, 4.658027591836937e-17, 2.667932131342186e-18,
  2.5382502794888315e-17, -2.8587312100388614e-17, 7.70094837980299e-17, -6.770511658794786e-17,
  -9.667293313452913e-17, -3.0237581349939873e-17, -3.483994556892796e-17, -1.016455327754295e-16,
  7.949834809697621e-17, -1.0136916471278304e-17, 2.4707192569797888e-17, -1.0125679913674773e-16,
  8.199010020581497e-17, -1.851380418263111e-17, 2.960140695448873e-17, 1.8227458427912087e-17,
  3.283107224245627e-17, -6.122763413004143e-17, -1.0619946056195963e-16, 8.960767791036668e-17,
);
/** 2^m for m = −1023 … 1023 at index m + 1023, by exact doublings. */
const POW2 = (() => {
  const t = new Float64Array(2047);
  t[1023] = 1;
  for (let m = 1; m <= 1023; m++) {
    t[1023 + m] = t[1022 + m] * 2;
    t[1023 - m] = t[1024 - m] * 0.5;
  }
  return t;
})();
const INV_STEP = N / Math.LN2;
/** ln2/32 in two parts (fdlibm's ln2_hi and ln2_lo over 32): k·STEP_HI is exact for |k| < 2²¹. */
const STEP_HI = 0.6931471803691238 / N;
const STEP_LO = 1.9082149292705877e-10 / N;
/** 1.5·2⁵²: adding and subtracting it rounds a double of magnitude below 2⁵¹ to an integer. */
const ROUND = 6755399441055744;
/** |x| below it: 2^m stays a normal double. */
const EXP_RANGE = 700;

/**
 * e^x. With k = round(32x/ln2) = 32m + j and r = x − k·ln2/32 (|r| ≤ ln2/64),
 * e^x = 2^m·2^{j/32}·e^r, e^r − 1 by its Taylor polynomial of degree 6 (remainder below
 * 4e-18 of the result), 2^{j/32} from the table in two parts.
 */
export function fastExp(x: number): number {
  if (!(Math.abs(x) < EXP_RANGE)) return Math.exp(x);
  const kd = x * INV_STEP + ROUND - ROUND;
  const k = kd | 0;
  const r = x - kd * STEP_HI - kd * STEP_LO;
  const p = r + r * r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720)))));
  const j = k & (N - 1);
  const t = EXP2_HI[j];
  return POW2[(k >> 5) + 1023] * (t + (EXP2_LO[j] + t * p));
}

/** Above it oneMinusExpNeg calls Math.expm1. */
const SMALL_Y = 2 ** -7;

/**
 * 1 − e^{−y} for y ≥ 0: the probability to fire in a step of integrated hazard y. For y ≤ 2⁻⁷
 * (the usual case: y = dt·λ) its Taylor polynomial of degree 6, whose remainder is below 5e-17
 * of the result, in Horner form (no cancellation: every term is smaller than the one before).
 */
export function oneMinusExpNeg(y: number): number {
  if (!(y <= SMALL_Y)) return -Math.expm1(-y);
  return y * (1 - y * (1 / 2 - y * (1 / 6 - y * (1 / 24 - y * (1 / 120 - y * (1 / 720))))));
}
