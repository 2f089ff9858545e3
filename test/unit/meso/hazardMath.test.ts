/** The exponentials of the meso hazard loop (src/meso/hazardMath.ts) against Math.exp and Math.expm1. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../support/random';
import { EXP2_HI, EXP2_LO, fastExp, oneMinusExpNeg } from '../../../src/meso/hazardMath';

/** Reproducible arguments. */
const uniforms = mulberry32;

/** |a − b| in units in the last place of b. */
function ulps(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  return Math.abs(a - b) / 2 ** (Math.floor(Math.log2(Math.abs(b))) - 52);
}

/** The largest ulp distance and the fraction of identical results of f against ref over args. */
function compare(f: (x: number) => number, ref: (x: number) => number, args: number[]): { worst: number; identical: number } {
  let worst = 0;
  let same = 0;
  for (const x of args) {
    const d = ulps(f(x), ref(x));
    if (d === 0) same++;
    worst = Math.max(worst, d);
  }
  return { worst, identical: same / args.length };
}

describe('fastExp', () => {
  it('its table holds 2^{j/32} rounded to nearest and the remainder (recomputed with BigInt Newton iterations to 120 bits)', () => {
    const hi = EXP2_HI;
    const lo = EXP2_LO;
    expect(hi.length).toBe(32);
    const bits = 120n;
    for (let j = 0; j < 32; j++) {
      // y ≈ 2^{j/32}·2^120: the integer 32nd root of 2^{j + 32·120}.
      const target = 1n << (BigInt(j) + 32n * bits);
      let y = BigInt(Math.round(2 ** (j / 32) * 2 ** 52)) << (bits - 52n);
      for (let it = 0; it < 4; it++) y -= (y ** 32n - target) / (32n * y ** 31n);
      const h = Number(y) / 2 ** 120;
      expect(hi[j], `j = ${j}`).toBe(h);
      const rest = Number(y - BigInt(h * 2 ** 52) * (1n << (bits - 52n))) / 2 ** 120;
      expect(Math.abs(lo[j] - rest), `j = ${j}`).toBeLessThanOrEqual(Math.abs(rest) * 1e-15);
    }
  });

  it('is within 1 ulp of Math.exp (identical for most arguments) over the hazard range, small and large arguments', () => {
    const u = uniforms(1);
    const args: number[] = [0, -0, 1, -1, 1e-300, -1e-300, 699.9, -699.9];
    for (let i = 0; i < 300_000; i++) args.push((u() - 0.5) * 40);
    for (let i = 0; i < 100_000; i++) args.push((u() - 0.5) * 1398);
    for (let i = 0; i < 100_000; i++) args.push((u() - 0.5) * 2 * 10 ** (-15 * u()));
    const { worst, identical } = compare(fastExp, Math.exp, args);
    expect(worst).toBeLessThanOrEqual(1);
    expect(identical).toBeGreaterThan(0.85);
  });

  it('hands huge, infinite and NaN arguments to Math.exp', () => {
    for (const x of [700, -700, 709.7, -745, 1e10, Infinity, -Infinity]) expect(fastExp(x)).toBe(Math.exp(x));
    expect(fastExp(Number.NaN)).toBeNaN();
  });
});

describe('oneMinusExpNeg', () => {
  it('is within 1 ulp of −Math.expm1(−y) for y from 1e-20 to 50 (its polynomial up to 2⁻⁷, Math.expm1 beyond)', () => {
    const u = uniforms(2);
    const args: number[] = [0, 2 ** -7, 2 ** -7 * (1 + 2 ** -52), 1e-300];
    for (let i = 0; i < 300_000; i++) args.push(10 ** (-20 + 18 * u()));
    for (let i = 0; i < 100_000; i++) args.push(2 ** -7 * u());
    for (let i = 0; i < 20_000; i++) args.push(50 * u());
    const { worst, identical } = compare(oneMinusExpNeg, (y) => -Math.expm1(-y), args);
    expect(worst).toBeLessThanOrEqual(1);
    expect(identical).toBeGreaterThan(0.8);
    expect(oneMinusExpNeg(Infinity)).toBe(1);
    expect(oneMinusExpNeg(Number.NaN)).toBeNaN();
  });
});
