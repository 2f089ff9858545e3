import { describe, expect, it } from 'vitest';
import type { TmParams } from '../../../src/synapse/stpTsodyksMarkram';
import {
  MF1,
  MF2,
  depressionMomentsRhs,
  depressionMomentsStep,
  depressionStationary,
  depressionStationaryMoments,
  threeStateMomentsRhs,
  threeStateStationary,
  threeStateStationaryMoments,
  TS,
  tmMf1Rhs,
  tmMf2Rhs,
  tmStationaryMf1,
  tmStationaryMf2,
  tmStationaryMf2Moments,
  uMomentsRhs,
  uMomentsStep,
  uStationaryMoments,
} from '../../../src/synapse/stpMoments';
import { monteCarloDepression, monteCarloThreeState, monteCarloTm, type McResult } from './mcSupport';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Classical RK4 of y' = f(t, y) from t0 over n steps of h, in place. */
function rk4(f: (t: number, y: Float64Array, out: Float64Array) => void, y: Float64Array, t0: number, h: number, n: number): void {
  const d = y.length;
  const k1 = new Float64Array(d),
    k2 = new Float64Array(d),
    k3 = new Float64Array(d),
    k4 = new Float64Array(d),
    tmp = new Float64Array(d);
  for (let s = 0; s < n; s++) {
    const t = t0 + s * h;
    f(t, y, k1);
    for (let j = 0; j < d; j++) tmp[j] = y[j] + 0.5 * h * k1[j];
    f(t + 0.5 * h, tmp, k2);
    for (let j = 0; j < d; j++) tmp[j] = y[j] + 0.5 * h * k2[j];
    f(t + 0.5 * h, tmp, k3);
    for (let j = 0; j < d; j++) tmp[j] = y[j] + h * k3[j];
    f(t + h, tmp, k4);
    for (let j = 0; j < d; j++) y[j] += (h / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
  }
}

describe('moment equations: exact parts (depression only, u-moments)', () => {
  it('stationary values zero the right-hand sides (abs 1e-13)', () => {
    const out = new Float64Array(2);
    for (const [U, tauD, r] of [
      [0.5, 0.8, 10],
      [0.2, 0.3, 40],
      [0.03, 0.13, 2],
    ]) {
      const m = depressionStationaryMoments({ U, tauD }, r);
      depressionMomentsRhs({ U, tauD }, r, m.Ex, m.Ex2, out);
      expect(Math.abs(out[0])).toBeLessThan(1e-13);
      expect(Math.abs(out[1])).toBeLessThan(1e-13);
    }
    for (const p of [
      { U: 0.1, U0: 0, tauD: 0.1, tauF: 1 },
      { U: 0.2, U0: 0.2, tauD: 0.2, tauF: 1.5 },
    ]) {
      const m = uStationaryMoments(p, 15);
      uMomentsRhs(p, 15, m.Eu, m.Eu2, out);
      expect(Math.abs(out[0])).toBeLessThan(1e-13);
      expect(Math.abs(out[1])).toBeLessThan(1e-13);
    }
    // τF = 0: E[u] = U0, E[u²] = U0² exactly.
    expect(uStationaryMoments({ U: 0.3, U0: 0.3, tauD: 1, tauF: 0 }, 10)).toEqual({ Eu: 0.3, Eu2: 0.3 * 0.3 });
  });

  it('exact constant-rate steps equal RK4 integration of the RHS with a time-dependent rate (rel 1e-10)', () => {
    const rate = (t: number) => (t < 0.5 ? 5 : t < 1.2 ? 40 : 12); // piecewise constant, steps at multiples of h
    const h = 0.1;
    const dep = { U: 0.4, tauD: 0.5 };
    const tm: TmParams = { U: 0.15, U0: 0.05, tauD: 0.2, tauF: 0.9 };
    const exactD = Float64Array.of(1, 1);
    const exactU = Float64Array.of(0.05, 0.0025);
    for (let s = 0; s < 20; s++) {
      depressionMomentsStep(dep, rate(s * h + 1e-9), h, exactD);
      uMomentsStep(tm, rate(s * h + 1e-9), h, exactU);
    }
    const yD = Float64Array.of(1, 1);
    const yU = Float64Array.of(0.05, 0.0025);
    // RK4 with 1000 sub-steps per 0.1 s piece, the rate held constant on each piece.
    for (let s = 0; s < 20; s++) {
      const r = rate(s * h + 1e-9);
      rk4((_, y, o) => depressionMomentsRhs(dep, r, y[0], y[1], o), yD, 0, h / 1000, 1000);
      rk4((_, y, o) => uMomentsRhs(tm, r, y[0], y[1], o), yU, 0, h / 1000, 1000);
    }
    for (let j = 0; j < 2; j++) {
      expect(rel(exactD[j], yD[j])).toBeLessThan(1e-10);
      expect(rel(exactU[j], yU[j])).toBeLessThan(1e-10);
    }
  });

  it('depression: the transmitted rate r E[w] = rU/(1 + U r τD) saturates at 1/τD', () => {
    const p = { U: 0.5, tauD: 0.8 };
    expect(rel(depressionStationary(p, 1e7).transmittedRate, 1 / 0.8)).toBeLessThan(1e-6);
    expect(rel(depressionStationary(p, 1 / (0.5 * 0.8)).transmittedRate, 0.5 / 0.8)).toBeLessThan(1e-15);
  });
});

/** Fixed tolerance, and a check that it is at least 4 standard errors of the Monte Carlo. */
function expectWithin(name: string, mc: { mean: number; se: number }, theory: number, tolAbs: number): void {
  expect(4 * mc.se, `${name}: 4 s.e. must be below the tolerance`).toBeLessThan(tolAbs);
  expect(Math.abs(mc.mean - theory), `${name}: |MC − theory|`).toBeLessThan(tolAbs);
}

describe('moment equations vs Monte Carlo of the Poisson-driven synapse (fixed seeds)', () => {
  // 150 batches × 10⁴ spikes per run, batch-means standard errors (mcSupport.ts).
  const B = 150;
  const PER = 10_000;

  for (const [U, tauD, r] of [
    [0.5, 0.8, 10],
    [0.2, 0.5, 30],
  ] as const) {
    it(`depression U = ${U}, τD = ${tauD} s, ${r} Hz: exact E[x], E[x²] within abs 1e-3 (≥ 4 s.e.)`, () => {
      const mc = monteCarloDepression({ U, tauD }, r, 101, B, PER);
      const th = depressionStationaryMoments({ U, tauD }, r);
      expectWithin('E[x]', mc.x, th.Ex, 1e-3);
      expectWithin('E[x²]', mc.xx, th.Ex2, 1e-3);
      expectWithin('E[w]', mc.w, U * th.Ex, 1e-3);
    });
  }

  for (const [p, r] of [
    [{ U: 0.1, U0: 0, tauD: 0.1, tauF: 1 }, 20],
    [{ U: 0.2, U0: 0.2, tauD: 0.2, tauF: 1.5 }, 10],
  ] as const) {
    it(`u-moments U = ${p.U}, U0 = ${p.U0}, τF = ${p.tauF} s, ${r} Hz: exact E[u], E[u²] within abs 1.2e-3 (≥ 4 s.e.)`, () => {
      const mc = monteCarloTm(p, r, 202, B, PER);
      const th = uStationaryMoments(p, r);
      expectWithin('E[u]', mc.u, th.Eu, 1.2e-3);
      expectWithin('E[u²]', mc.uu, th.Eu2, 1.2e-3);
    });
  }

  // The closure is approximate: tolerances are stated relative errors, above the measured
  // closure error plus 4 s.e. Measured MF2 − MC with seed 303: E[x] within 0.07 %, E[ux] 0.02 %,
  // E[w] 0.015 %, E[x²] 0.25 %, E[w²] 1.1 % (11–14 s.e.: the closure's real error); MF1: E[ux]
  // +1.3 to +2.8 %, E[w²] (= E[w]², no fluctuations at first order) −3 to −22 %, +2 % (Markram set).
  const CLOSURE_CASES: [string, TmParams, number][] = [
    ['facilitating U = 0.1, τD = 0.1 s, τF = 1 s, U0 = 0', { U: 0.1, U0: 0, tauD: 0.1, tauF: 1 }, 10],
    ['facilitating U = 0.1, τD = 0.1 s, τF = 1 s, U0 = 0', { U: 0.1, U0: 0, tauD: 0.1, tauF: 1 }, 20],
    ['facilitating U = 0.1, τD = 0.1 s, τF = 1 s, U0 = U', { U: 0.1, U0: 0.1, tauD: 0.1, tauF: 1 }, 20],
    ['Mongillo 2008 U = U0 = 0.2, τD = 0.2 s, τF = 1.5 s', { U: 0.2, U0: 0.2, tauD: 0.2, tauF: 1.5 }, 10],
    ['Markram 1998 facilitating U = 0.03, τD = 0.13 s, τF = 0.53 s', { U: 0.03, U0: 0, tauD: 0.13, tauF: 0.53 }, 20],
  ];
  for (const [name, p, r] of CLOSURE_CASES) {
    it(`${name}, ${r} Hz: MF2 E[x], E[ux], E[w] within 0.4 %, E[x²] 0.6 %, E[w²] 1.6 %; MF1 visibly worse`, () => {
      const mc: McResult = monteCarloTm(p, r, 303, B, PER);
      const mf2 = tmStationaryMf2(p, r);
      const mf1 = tmStationaryMf1(p, r);
      expectWithin('MF2 E[x]', mc.x, mf2.x, 4e-3 * mc.x.mean);
      expectWithin('MF2 E[ux]', mc.ux, mf2.ux, 4e-3 * mc.ux.mean);
      expectWithin('MF2 E[w]', mc.w, mf2.efficacy, 4e-3 * mc.w.mean);
      expectWithin('MF2 E[x²]', mc.xx, mf2.x2, 6e-3 * mc.xx.mean);
      expectWithin('MF2 E[w²]', mc.ww, mf2.efficacySq, 1.6e-2 * mc.ww.mean);
      const e2 = (v: number, m: { mean: number }) => Math.abs(v / m.mean - 1);
      // MF1 neglects the (negative) u–x correlation: E[ux] over-estimated by > 1 %, > 4× MF2's error.
      expect(e2(mf1.ux, mc.ux)).toBeGreaterThan(0.01);
      expect(e2(mf1.ux, mc.ux)).toBeGreaterThan(4 * e2(mf2.ux, mc.ux));
      expect(e2(mf1.efficacySq, mc.ww)).toBeGreaterThan(0.015);
      expect(e2(mf1.efficacySq, mc.ww)).toBeGreaterThan(1.5 * e2(mf2.efficacySq, mc.ww));
    });
  }
});

describe('stationary mean-field analysis', () => {
  const cases: TmParams[] = [
    { U: 0.1, U0: 0, tauD: 0.1, tauF: 1 },
    { U: 0.2, U0: 0.2, tauD: 0.2, tauF: 1.5 },
    { U: 0.03, U0: 0, tauD: 0.13, tauF: 0.53 },
    { U: 0.5, U0: 0.5, tauD: 0.8, tauF: 0.05 },
  ];

  it('the closed-form MF2 stationary state zeroes tmMf2Rhs (abs 1e-12) and is where RK4 of the ODE converges (rel 1e-9)', () => {
    const out = new Float64Array(MF2.SIZE);
    for (const p of cases) {
      for (const r of [1, 10, 50]) {
        const m = tmStationaryMf2Moments(p, r);
        tmMf2Rhs(p, r, m, out);
        for (let j = 0; j < MF2.SIZE; j++) expect(Math.abs(out[j])).toBeLessThan(1e-12);
        // From rest (u = U0, x = 1, no fluctuations), 40 s of RK4 at 0.5 ms.
        const y = Float64Array.of(p.U0, 1, p.U0 * p.U0, 1, p.U0);
        rk4((_, v, o) => tmMf2Rhs(p, r, v, o), y, 0, 5e-4, 80_000);
        for (let j = 0; j < MF2.SIZE; j++) expect(rel(y[j], m[j])).toBeLessThan(1e-9);
      }
    }
  });

  it('the closed-form MF1 stationary state zeroes tmMf1Rhs (abs 1e-13)', () => {
    const out = new Float64Array(MF1.SIZE);
    for (const p of cases) {
      const s = tmStationaryMf1(p, 20);
      tmMf1Rhs(p, 20, [s.u, s.x], out);
      expect(Math.abs(out[0])).toBeLessThan(1e-13);
      expect(Math.abs(out[1])).toBeLessThan(1e-13);
    }
  });

  it('τF = 0: MF2 is the exact depression-only result with U_eff = U0 + U(1 − U0) (rel 1e-14), and τF → 0 is continuous', () => {
    for (const U0 of [0, 0.3]) {
      const p: TmParams = { U: 0.3, U0, tauD: 0.6, tauF: 0 };
      const Ueff = U0 + 0.3 * (1 - U0);
      const dep = depressionStationary({ U: Ueff, tauD: 0.6 }, 15);
      const mf2 = tmStationaryMf2(p, 15);
      expect(rel(mf2.x, dep.x)).toBeLessThan(1e-14);
      expect(rel(mf2.x2, dep.x2)).toBeLessThan(1e-14);
      expect(rel(mf2.efficacy, dep.efficacy)).toBeLessThan(1e-14);
      expect(rel(mf2.efficacySq, dep.efficacySq)).toBeLessThan(1e-13);
      expect(rel(tmStationaryMf2({ ...p, tauF: 1e-9 }, 15).efficacySq, dep.efficacySq)).toBeLessThan(1e-6);
    }
  });

  it('three-state: exact stationary E[x⁻] = 1/(1 + rU(τin + τrec)) zeroes the mean equations and matches Monte Carlo (abs 1e-3, ≥ 4 s.e.)', () => {
    const p = { U: 0.5, tauIn: 0.003, tauRec: 0.8 };
    const s = threeStateStationary(p, 10);
    const Ey = s.meanY;
    const Ez = 1 - s.x - Ey;
    expect(Math.abs(-Ey / p.tauIn + 10 * p.U * s.x)).toBeLessThan(1e-12);
    expect(Math.abs(Ey / p.tauIn - Ez / p.tauRec)).toBeLessThan(1e-12);
    const mc = monteCarloThreeState(p, 10, 404, 150, 10_000);
    expectWithin('three-state E[x⁻]', mc.x, s.x, 1e-3);
    expectWithin('three-state E[U x⁻]', mc.w, s.efficacy, 1e-3);
  });

  it('three-state second moments: the stationary solution zeroes threeStateMomentsRhs (abs 1e-12) and E[x⁻²], E[w²] match Monte Carlo (≥ 4 s.e.)', () => {
    for (const [p, r] of [
      [{ U: 0.5, tauIn: 0.003, tauRec: 0.8 }, 10],
      [{ U: 0.2, tauIn: 0.02, tauRec: 0.3 }, 40],
    ] as const) {
      const m = threeStateStationaryMoments(p, r);
      const out = new Float64Array(TS.SIZE);
      threeStateMomentsRhs(p, r, m, out);
      for (let k = 0; k < TS.SIZE; k++) expect(Math.abs(out[k])).toBeLessThan(1e-12);
      const s = threeStateStationary(p, r);
      expect(s.x2).toBe(m[TS.XX]);
      const mc = monteCarloThreeState(p, r, 405, 150, 10_000);
      expectWithin('three-state E[x⁻²]', mc.xx, s.x2, 1e-3);
      expectWithin('three-state E[w²]', mc.ww, s.efficacySq, 1e-3);
    }
  });
});
