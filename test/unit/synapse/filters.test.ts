import { describe, expect, it } from 'vitest';
import {
  alphaFilter,
  cobaInput,
  dualExpAdvance,
  dualExpAdvanceBy,
  dualExpImpulse,
  dualExpIntegral,
  dualExpKickScale,
  dualExpPeakTime,
  dualExpPeakValue,
  dualExpPropagator,
  exponentialAdvance,
  exponentialImpulse,
  exponentialKickScale,
  exponentialPropagator,
  nmdaBlock,
  nmdaInput,
  type DualExpFilterParams,
} from '../../../src/synapse/filters';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Max of f on [a, b] by golden-section search (unimodal f), to ~1e-15 s in t. */
function argmax(f: (t: number) => number, a: number, b: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 200; k++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (f(c) > f(d)) b = d;
    else a = c;
  }
  return 0.5 * (a + b);
}

describe('exponential filter', () => {
  it('2000 propagator steps reproduce the impulse response and its integral (rel 1e-12: rounding grows like n·ε)', () => {
    const p = { tauS: 0.01 };
    const dt = 1e-4;
    const prop = exponentialPropagator(p, dt);
    const g = Float64Array.of(1);
    let integral = 0;
    for (let k = 1; k <= 2000; k++) {
      integral += exponentialAdvance(prop, g, 0);
      if (k % 250 === 0) expect(rel(g[0], exponentialImpulse(p, k * dt))).toBeLessThan(1e-12);
    }
    expect(rel(integral, p.tauS * (1 - Math.exp(-0.2 / p.tauS)))).toBeLessThan(1e-12);
  });

  it("normalisation: 'peak' kick gives peak J, 'integral' kick gives integral J (docs/equations.md §2: τs dg/dt = −g + ΣJwδ)", () => {
    const p = { tauS: 0.005 };
    expect(exponentialKickScale(p, 'peak')).toBe(1);
    expect(exponentialKickScale(p, 'integral') * p.tauS).toBeCloseTo(1, 15);
  });
});

describe('dual-exponential and alpha filters', () => {
  const cases: DualExpFilterParams[] = [
    { tauRise: 0.001, tauDecay: 0.005 },
    { tauRise: 0.005, tauDecay: 0.002 }, // rise slower than decay: the formula is symmetric
    alphaFilter(0.004),
  ];

  for (const p of cases) {
    it(`τr = ${p.tauRise}, τd = ${p.tauDecay}: stepping = closed-form impulse response; integral = τrτd (rel 1e-12)`, () => {
      const dt = 1e-5;
      const prop = dualExpPropagator(p, dt);
      const g = Float64Array.of(0);
      const h = Float64Array.of(1);
      let integral = 0;
      for (let k = 1; k <= 20_000; k++) {
        integral += dualExpAdvance(prop, g, h, 0);
        if (k % 1000 === 0) expect(rel(g[0], dualExpImpulse(p, k * dt))).toBeLessThan(1e-12);
      }
      // 0.2 s ≥ 40 τ: the remaining tail is < e^{−40} of the integral.
      expect(rel(integral, dualExpIntegral(p))).toBeLessThan(1e-12);
      // Closed form of the dual exponential written the textbook way (not for τr = τd).
      if (p.tauRise !== p.tauDecay) {
        const t = 0.0037;
        const textbook = ((p.tauDecay * p.tauRise) / (p.tauDecay - p.tauRise)) * (Math.exp(-t / p.tauDecay) - Math.exp(-t / p.tauRise));
        expect(rel(dualExpImpulse(p, t), textbook)).toBeLessThan(1e-13);
      }
    });

    it(`τr = ${p.tauRise}, τd = ${p.tauDecay}: peak time and value vs a numerical maximisation (rel 1e-7 in t, 1e-14 in value)`, () => {
      const tStar = argmax((t) => dualExpImpulse(p, t), 0, 0.05);
      expect(rel(dualExpPeakTime(p), tStar)).toBeLessThan(1e-7); // the maximum is flat: t is found to ~√ε
      expect(rel(dualExpPeakValue(p), dualExpImpulse(p, tStar))).toBeLessThan(1e-14);
      const textbookT = p.tauRise === p.tauDecay ? p.tauRise : (p.tauDecay * p.tauRise * Math.log(p.tauDecay / p.tauRise)) / (p.tauDecay - p.tauRise);
      expect(rel(dualExpPeakTime(p), textbookT)).toBeLessThan(1e-14);
    });

    it(`τr = ${p.tauRise}, τd = ${p.tauDecay}: 'peak' and 'integral' normalisations give peak 1 and integral 1 (rel 1e-14)`, () => {
      const sp = dualExpKickScale(p, 'peak');
      expect(rel(sp * dualExpPeakValue(p), 1)).toBeLessThan(1e-14);
      const si = dualExpKickScale(p, 'integral');
      expect(rel(si * dualExpIntegral(p), 1)).toBeLessThan(1e-14);
    });
  }

  it('alpha function by hand: peak at τ with value τ/e; peak-normalised kernel (t/τ)e^{1 − t/τ} (rel 1e-15)', () => {
    const tau = 0.004;
    const p = alphaFilter(tau);
    expect(dualExpPeakTime(p)).toBe(tau);
    expect(rel(dualExpPeakValue(p), tau / Math.E)).toBeLessThan(1e-15);
    const scale = dualExpKickScale(p, 'peak');
    for (const t of [0.001, 0.004, 0.01]) expect(rel(scale * dualExpImpulse(p, t), (t / tau) * Math.exp(1 - t / tau))).toBeLessThan(1e-14);
  });

  it('τr → τd is continuous (no special case): peak and kernel within 2ε of the alpha function', () => {
    const tau = 0.004;
    for (const eps of [1e-4, 1e-8, 1e-12]) {
      const p = { tauRise: tau * (1 + eps), tauDecay: tau };
      expect(rel(dualExpPeakTime(p), tau)).toBeLessThan(2 * eps + 1e-15);
      expect(rel(dualExpImpulse(p, 0.006), dualExpImpulse(alphaFilter(tau), 0.006))).toBeLessThan(2 * eps + 1e-15);
    }
  });

  it('propagators compose: one step of 2Δ = two steps of Δ = dualExpAdvanceBy(2Δ), integrals add (rel 1e-13)', () => {
    const p = { tauRise: 0.002, tauDecay: 0.01 };
    const g = Float64Array.of(0.3, 0.3, 0.3);
    const h = Float64Array.of(50, 50, 50);
    const i1 = dualExpAdvance(dualExpPropagator(p, 0.006), g, h, 0);
    const half = dualExpPropagator(p, 0.003);
    const i2 = dualExpAdvance(half, g, h, 1) + dualExpAdvance(half, g, h, 1);
    const i3 = dualExpAdvanceBy(p, g, h, 2, 0.006);
    expect(rel(g[1], g[0])).toBeLessThan(1e-13);
    expect(rel(h[1], h[0])).toBeLessThan(1e-13);
    expect(rel(i2, i1)).toBeLessThan(1e-13);
    expect(g[2]).toBe(g[0]);
    expect(i3).toBe(i1);
  });
});

describe('outputs', () => {
  it('NMDA block B(V) = 1/(1 + e^{−0.062V}[Mg]/3.57) against hand-computed values (rel 1e-14)', () => {
    // Computed independently (Python, float64): 1/(1+exp(-0.062*V)*mg/3.57).
    const table: [number, number, number][] = [
      [-80, 1, 0.024424653027730652],
      [-65, 1, 0.059668153561197444],
      [-40, 1, 0.23015531834348293],
      [-20, 2, 0.3406089787010908],
      [0, 1, 0.7811816192560176], // = 3.57/4.57 by hand
      [20, 1, 0.9250180335521027],
    ];
    for (const [V, mg, want] of table) expect(rel(nmdaBlock(V, mg), want)).toBeLessThan(1e-14);
    expect(rel(nmdaBlock(0, 1), 3.57 / 4.57)).toBeLessThan(1e-15);
    expect(nmdaBlock(-65, 0)).toBe(1);
  });

  it('COBA and NMDA input terms', () => {
    expect(cobaInput(0.5, -60, 0)).toBe(30);
    expect(cobaInput(0.5, -60, -80)).toBe(-10);
    expect(rel(nmdaInput(0.5, -20, 0, 2), 10 * 0.3406089787010908)).toBeLessThan(1e-14);
  });
});
