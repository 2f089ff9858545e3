import { describe, expect, it } from 'vitest';
import { escapeMightSpike, escapeSpike, expNegLowerBound } from '../../../src/micro/cpu/hazardBound';

/** The full escape-noise test, as the CPU engine wrote it before the shortcut. */
const fullTest = (u: number, halfDt: number, c: number, a0: number, a1: number) => u < -Math.expm1(-halfDt * (c * (Math.exp(a0) + Math.exp(a1))));

const scratch = new Float64Array(1);
const bits = new BigInt64Array(scratch.buffer);
/** The float64 neighbour of x (x > 0) towards ±∞. */
function nextFloat(x: number, dir: 1 | -1): number {
  scratch[0] = x;
  bits[0] += BigInt(dir);
  return scratch[0];
}

/** A small deterministic generator (the test's own, independent of the engine's Philox). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

describe('the exact shortcut of the escape-noise spike test (hazardBound.ts)', () => {
  it('bounds e^a from above wherever it gives a bound, to a few ulps', () => {
    for (let a = -60; a < 1; a += 0.0137) {
      const d = expNegLowerBound(a);
      expect(d).toBeGreaterThan(0);
      expect(1 / d).toBeGreaterThanOrEqual(Math.exp(a) * (1 - 4e-16));
    }
    for (const a of [-1e-300, -1e-12, 0, 1e-12, 0.5, 0.999999]) expect(1 / expNegLowerBound(a)).toBeGreaterThanOrEqual(Math.exp(a) * (1 - 4e-16));
    expect(expNegLowerBound(1)).toBe(0);
    expect(expNegLowerBound(7)).toBe(0);
    expect(expNegLowerBound(Number.NaN)).toBe(0);
  });

  it('decides every draw as the full test does, at and around the spike probability itself', () => {
    const rand = lcg(20261130);
    const halfDts = [0.5e-4, 0.5e-3, 0.05];
    const cs = [0.1, 10, 1000];
    let cases = 0;
    let spikes = 0;
    for (let k = 0; k < 20000; k++) {
      const halfDt = halfDts[k % 3];
      const c = cs[Math.floor(k / 3) % 3];
      // a from deep below threshold to above it, with the two ends of the step close or far apart.
      const a0 = -40 + 42 * rand() ** 0.5;
      const a1 = k % 2 === 0 ? a0 + (rand() - 0.5) * 1e-6 : -40 + 42 * rand();
      const p = -Math.expm1(-halfDt * (c * (Math.exp(a0) + Math.exp(a1))));
      const draws = [rand(), p * rand(), p * (1 + rand())];
      if (p > 0) draws.push(p, nextFloat(p, -1), nextFloat(p, 1));
      for (const u of draws) {
        if (!(u > 0 && u < 1)) continue;
        const want = fullTest(u, halfDt, c, a0, a1);
        expect(escapeSpike(u, halfDt, c, halfDt * c, a0, a1), `u = ${u}, halfDt = ${halfDt}, c = ${c}, a = (${a0}, ${a1})`).toBe(want);
        cases++;
        if (want) spikes++;
      }
    }
    // Both outcomes occur often, so the comparison is not one-sided.
    expect(cases).toBeGreaterThan(100000);
    expect(spikes).toBeGreaterThan(20000);
    expect(cases - spikes).toBeGreaterThan(20000);
  });

  it('runs the full test where no bound exists (a ≥ 1, NaN)', () => {
    expect(escapeMightSpike(0.999, 0.5e-4, 1, -3)).toBe(true);
    expect(escapeMightSpike(0.999, 0.5e-4, -3, Number.NaN)).toBe(true);
    expect(escapeSpike(0.5, 0.5e-4, 10, 0.5e-3, Number.NaN, -3)).toBe(false);
  });

  it('skips the exponentials for nearly every draw of a neuron far below threshold', () => {
    // V6's neuron: c = 10 Hz, Δu = 2 mV, dt = 0.1 ms, V 5 mV below threshold.
    const rand = lcg(7);
    let skipped = 0;
    for (let k = 0; k < 10000; k++) if (!escapeMightSpike(rand(), 0.5e-4 * 10, -2.5, -2.5)) skipped++;
    expect(skipped).toBeGreaterThan(9950);
  });
});
