import { describe, expect, it } from 'vitest';
import {
  cascadeAdvance,
  cascadeImpulse,
  cascadeIntegral,
  cascadeKickScale,
  cascadePeakTime,
  cascadePeakValue,
  cascadePropagator,
  expConvolutionN,
} from '../../../src/synapse/cascade';
import { expConvolution } from '../../../src/synapse/exact';
import { dualExpPeakTime, dualExpPeakValue } from '../../../src/synapse/filters';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** Composite Simpson of f on [0, T] with n (even) intervals. */
function simpson(f: (s: number) => number, T: number, n = 20000): number {
  const h = T / n;
  let sum = f(0) + f(T);
  for (let k = 1; k < n; k++) sum += (k % 2 ? 4 : 2) * f(k * h);
  return (sum * h) / 3;
}

/** Partial fractions for distinct rates: Σ_i e^{λ_i t} / Π_{j≠i}(λ_i − λ_j), λ = −1/τ. */
function partialFractions(t: number, taus: number[]): number {
  const lam = taus.map((x) => -1 / x);
  let s = 0;
  for (let i = 0; i < lam.length; i++) {
    let d = 1;
    for (let j = 0; j < lam.length; j++) if (j !== i) d *= lam[i] - lam[j];
    s += Math.exp(lam[i] * t) / d;
  }
  return s;
}

describe('expConvolutionN: convolutions of exponentials (divided differences of exp)', () => {
  const times = [1e-5, 3e-4, 2e-3, 0.01, 0.05, 0.3];

  it('one node is e^{−t/τ}; two nodes equal expConvolution (rel 1e-14), coincident and far apart included', () => {
    const pairs: [number, number][] = [
      [0.003, 0.005],
      [0.004, 0.004],
      [0.004, 0.004 * (1 + 1e-9)],
      [0.0005, 0.8],
      [0.1, 0.1000001],
    ];
    for (const t of times) {
      expect(expConvolutionN(t, [0.007], 0, 0)).toBe(Math.exp(-t / 0.007));
      for (const [a, b] of pairs) expect(rel(expConvolutionN(t, [a, b], 0, 1), expConvolution(t, a, b))).toBeLessThan(1e-14);
    }
  });

  it('three distinct time constants: the partial-fraction formula (rel 1e-12) and Simpson quadrature of the nested convolution (rel 1e-10)', () => {
    const sets = [
      [0.003, 0.001, 0.008],
      [0.002, 0.02, 0.2],
      [0.01, 0.005, 0.0025],
    ];
    for (const taus of sets) {
      for (const t of [0.002, 0.01, 0.04]) {
        const got = expConvolutionN(t, taus, 0, 2);
        expect(rel(got, partialFractions(t, taus))).toBeLessThan(1e-12);
        const nested = simpson((s) => expConvolution(s, taus[0], taus[1]) * Math.exp(-(t - s) / taus[2]), t);
        expect(rel(got, nested)).toBeLessThan(1e-10);
      }
    }
  });

  it('coinciding time constants are exact: (τ, τ, τ) is t²/2·e^{−t/τ} (rel 1e-13), (τ, τ, τ2) the confluent formula (rel 1e-13) and quadrature (1e-10)', () => {
    const tau = 0.004;
    const tau2 = 0.0013;
    const a = -1 / tau;
    const b = -1 / tau2;
    for (const t of times) {
      expect(rel(expConvolutionN(t, [tau, tau, tau], 0, 2), 0.5 * t * t * Math.exp(-t / tau))).toBeLessThan(1e-13);
      // Every order of the nodes gives the same value (the divided difference is symmetric).
      const value = expConvolutionN(t, [tau, tau, tau2], 0, 2);
      expect(rel(expConvolutionN(t, [tau2, tau, tau], 0, 2), value)).toBeLessThan(1e-15);
      expect(rel(expConvolutionN(t, [tau, tau2, tau], 0, 2), value)).toBeLessThan(1e-15);
      expect(
        rel(
          value,
          simpson((s) => s * Math.exp(-s / tau) * Math.exp(-(t - s) / tau2), t),
        ),
      ).toBeLessThan(1e-10);
      // The closed form cancels catastrophically for (b − a)t ≪ 1; it is a fair reference from (b − a)t ≈ 1 on.
      if ((a - b) * t >= 1) {
        const confluent = ((Math.exp(b * t) - Math.exp(a * t)) / (b - a) - t * Math.exp(a * t)) / (b - a);
        expect(rel(value, confluent)).toBeLessThan(1e-13);
      }
    }
  });

  it('is continuous through coincidence without cancellation: τ(1 + ε) differs from τ by O(ε) (< 5ε relative)', () => {
    const tau = 0.004;
    for (const t of times) {
      const exact = expConvolutionN(t, [tau, tau, tau], 0, 2);
      for (const eps of [1e-3, 1e-6, 1e-9, 1e-12]) {
        const near = expConvolutionN(t, [tau, tau * (1 + eps), tau * (1 - eps)], 0, 2);
        expect(rel(near, exact)).toBeLessThan(5 * eps * Math.max(1, t / tau) + 1e-15);
      }
    }
  });

  it('four nodes with an integrator (τ = ∞) integrate the three-stage response (Simpson, rel 1e-10)', () => {
    const taus = [0.003, 0.004, 0.004];
    for (const T of [0.001, 0.01, 0.05]) {
      const integral = expConvolutionN(T, [...taus, Infinity], 0, 3);
      expect(
        rel(
          integral,
          simpson((s) => expConvolutionN(s, taus, 0, 2), T),
        ),
      ).toBeLessThan(1e-10);
    }
  });
});

describe('cascade propagator, impulse response and normalisation', () => {
  const chains = [
    [0.003, 0.002, 0.008], // three-state τin, dual exponential
    [0.003, 0.004, 0.004], // three-state τin, alpha
    [0.004, 0.004, 0.004], // alpha with τin = τ: every time constant coincides
  ];

  for (const taus of chains) {
    it(`(${taus.join(', ')}): 2000 steps of one kick reproduce P_k0(n·dt) of every stage and the output integral (rel 1e-11)`, () => {
      const dt = 1e-4;
      const prop = cascadePropagator(taus, dt);
      const stages = taus.map(() => new Float64Array(1));
      stages[0][0] = 1;
      let integral = 0;
      for (let n = 1; n <= 2000; n++) {
        integral += cascadeAdvance(prop, stages, 0);
        if (n % 125 === 0) {
          for (let k = 0; k < 3; k++) expect(rel(stages[k][0], expConvolutionN(n * dt, taus, 0, k))).toBeLessThan(1e-11);
          expect(rel(integral, expConvolutionN(n * dt, [...taus, Infinity], 0, 3))).toBeLessThan(1e-11);
        }
      }
      // After 0.2 s (≥ 25 time constants) the integral is the whole of it, Π τ.
      expect(rel(integral, cascadeIntegral(taus))).toBeLessThan(1e-8);
    });
  }

  it('the propagator is a semigroup: P(2dt) = P(dt)² (abs 1e-15 per entry)', () => {
    const taus = [0.003, 0.004, 0.004];
    const P1 = cascadePropagator(taus, 2e-4).P;
    const P2 = cascadePropagator(taus, 4e-4).P;
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let q = 0; q < 3; q++) s += P1[k * 3 + q] * P1[q * 3 + j];
        expect(Math.abs(s - P2[k * 3 + j])).toBeLessThan(1e-15);
      }
    }
  });

  it('peak: two stages equal dualExpPeakTime/Value (rel 1e-12); (τ, τ, τ) peaks at 2τ with 2τ²e^{−2}; three distinct stages at the zero of the derivative', () => {
    for (const [r, d] of [
      [0.002, 0.008],
      [0.004, 0.004],
      [0.009, 0.003],
    ]) {
      expect(rel(cascadePeakTime([r, d]), dualExpPeakTime({ tauRise: r, tauDecay: d }))).toBeLessThan(1e-12);
      expect(rel(cascadePeakValue([r, d]), dualExpPeakValue({ tauRise: r, tauDecay: d }))).toBeLessThan(1e-12);
    }
    const tau = 0.004;
    expect(rel(cascadePeakTime([tau, tau, tau]), 2 * tau)).toBeLessThan(1e-12);
    expect(rel(cascadePeakValue([tau, tau, tau]), 2 * tau * tau * Math.exp(-2))).toBeLessThan(1e-13);
    const taus = [0.003, 0.002, 0.008];
    const tp = cascadePeakTime(taus);
    const peak = cascadeImpulse(taus, tp);
    // A maximum: a 1e-4 relative step either way lowers the value, by a second-order amount.
    for (const f of [1 - 1e-4, 1 + 1e-4]) {
      const v = cascadeImpulse(taus, tp * f);
      expect(v).toBeLessThan(peak);
      expect((peak - v) / peak).toBeLessThan(1e-6);
    }
    expect(cascadePeakTime([0.005])).toBe(0);
    expect(cascadePeakValue([0.005])).toBe(1);
  });

  it("kick scale: 'integral' makes ∫ = 1 (1/Πτ), 'peak' makes the maximum 1", () => {
    const taus = [0.003, 0.004, 0.004];
    expect(rel(cascadeKickScale(taus, 'integral') * cascadeIntegral(taus), 1)).toBeLessThan(1e-15);
    expect(rel(cascadeKickScale(taus, 'peak') * cascadePeakValue(taus), 1)).toBeLessThan(1e-15);
  });
});
