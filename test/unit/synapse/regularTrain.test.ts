import { describe, expect, it } from 'vitest';
import { TM_PRESETS, createTmState, tmOnSpike, tmTrainEfficacies, type TmParams } from '../../../src/synapse/stpTsodyksMarkram';
import { depressionTrainEfficacies } from '../../../src/synapse/stpDepression';
import { createThreeStateState, threeStateOnSpike, threeStateRelax, threeStateTrainReleases } from '../../../src/synapse/stpThreeState';
import {
  depressionRegularEfficacy,
  depressionRegularSteadyState,
  threeStateRegularState,
  threeStateRegularSteadyState,
  tmRegularEfficacies,
  tmRegularSteadyState,
  tmRegularUPlus,
} from '../../../src/synapse/stpRegularTrain';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const regular = (T: number, n: number) => Float64Array.from({ length: n }, (_, k) => k * T);

// Both U0 conventions, depressing and facilitating, and the presets of docs/equations.md §3.
const TM_CASES: [string, TmParams][] = [
  ['TPM facilitating (U0 = 0)', { U: 0.1, U0: 0, tauD: 0.1, tauF: 1 }],
  ['Mongillo (U0 = U)', TM_PRESETS.workingMemory],
  ['Markram facilitating', TM_PRESETS.facilitating],
  ['Markram depressing', TM_PRESETS.depressing],
  ['U0 = U, strong depression', { U: 0.5, U0: 0.5, tauD: 0.8, tauF: 0.05 }],
];

describe('regular trains: Tsodyks–Markram closed forms vs the event-driven synapse', () => {
  for (const [name, p] of TM_CASES) {
    for (const rate of [5, 20, 50]) {
      const T = 1 / rate;
      it(`${name}, ${rate} Hz: efficacies and u⁺ of spikes 0…199 agree to rel 1e-12`, () => {
        const n = 200;
        const times = regular(T, n);
        const event = tmTrainEfficacies(p, times);
        const closed = tmRegularEfficacies(p, T, n);
        const s = createTmState(p, 1, 0);
        let worst = 0;
        for (let k = 0; k < n; k++) {
          tmOnSpike(p, s, 0, times[k]);
          worst = Math.max(worst, rel(closed[k], event[k]), rel(tmRegularUPlus(p, T, k), s.u[0]));
        }
        expect(worst).toBeLessThan(1e-12);
        // Steady state: the train has converged after 2000 spikes (contraction ≤ 0.95 per spike here).
        const ss = tmRegularSteadyState(p, T);
        const long = tmTrainEfficacies(p, regular(T, 2000));
        expect(rel(ss.efficacy, long[1999])).toBeLessThan(1e-12);
        expect(rel(ss.uPlus, tmRegularUPlus(p, T, 5000))).toBeLessThan(1e-12);
      });
    }
  }

  it('the first spikes by hand (U0 = 0 and U0 = U)', () => {
    const p: TmParams = { U: 0.2, U0: 0, tauD: 0.5, tauF: 0.5 };
    const T = 0.1;
    const w = tmRegularEfficacies(p, T, 2);
    const eF = Math.exp(-T / 0.5);
    const eD = Math.exp(-T / 0.5);
    expect(w[0]).toBe(0.2);
    const u1 = 0.2 * eF;
    const up1 = u1 + 0.2 * (1 - u1);
    const x1 = 1 + (0.8 - 1) * eD;
    expect(rel(w[1], up1 * x1)).toBeLessThan(1e-15);
    const q: TmParams = { ...p, U0: 0.2 };
    expect(rel(tmRegularEfficacies(q, T, 1)[0], 0.36)).toBeLessThan(1e-15);
  });

  it('τF = 0 makes u⁺ constant and x geometric: equals depression-only with U_eff = U0 + U(1 − U0) (rel 1e-13)', () => {
    const p: TmParams = { U: 0.3, U0: 0.3, tauD: 0.4, tauF: 0 };
    const T = 0.05;
    const tm = tmRegularEfficacies(p, T, 50);
    for (let k = 0; k < 50; k++) expect(rel(tm[k], depressionRegularEfficacy({ U: 0.51, tauD: 0.4 }, T, k))).toBeLessThan(1e-13);
  });
});

describe('regular trains: depression-only closed form', () => {
  for (const [U, tauD, rate] of [
    [0.5, 0.8, 20],
    [0.2, 0.3, 5],
    [0.9, 1.5, 40],
  ]) {
    it(`U = ${U}, τD = ${tauD} s, ${rate} Hz: w_k = U(x* + (1 − x*)ρ^k) equals the event-driven train (rel 1e-12)`, () => {
      const p = { U, tauD };
      const T = 1 / rate;
      const event = depressionTrainEfficacies(p, regular(T, 300));
      for (let k = 0; k < 300; k++) expect(rel(depressionRegularEfficacy(p, T, k), event[k])).toBeLessThan(1e-12);
      const ss = depressionRegularSteadyState(p, T);
      expect(rel(ss.rho, (1 - U) * Math.exp(-T / tauD))).toBeLessThan(1e-15);
      expect(rel(ss.efficacy, depressionTrainEfficacies(p, regular(T, 3000))[2999])).toBeLessThan(1e-12);
    });
  }
});

describe('regular trains: three-state model', () => {
  const cases = [
    { U: 0.5, tauIn: 0.003, tauRec: 0.8 },
    { U: 0.7, tauIn: 0.01, tauRec: 0.2 },
    { U: 0.4, tauIn: 0.05, tauRec: 0.05 }, // degenerate τin = τrec
  ];
  for (const p of cases) {
    for (const rate of [10, 40]) {
      it(`U = ${p.U}, τin = ${p.tauIn}, τrec = ${p.tauRec}, ${rate} Hz: M^k solution = event-driven (rel 1e-12)`, () => {
        const T = 1 / rate;
        const n = 150;
        const event = threeStateTrainReleases(p, regular(T, n));
        for (let k = 0; k < n; k++) expect(rel(threeStateRegularState(p, T, k).release, event[k])).toBeLessThan(1e-12);
        const ss = threeStateRegularSteadyState(p, T);
        const long = threeStateTrainReleases(p, regular(T, 3000));
        expect(rel(ss.release, long[2999])).toBeLessThan(1e-12);
        expect(rel(threeStateRegularState(p, T, 4000).release, ss.release)).toBeLessThan(1e-12);
        // Mean drive over a period in the steady state vs the event model's exact ∫y.
        const s = createThreeStateState(1, 0);
        for (let k = 0; k < 3000; k++) threeStateOnSpike(p, s, 0, k * T);
        const integral = threeStateRelax(p, s, 0, 3000 * T); // from spike 2999 to where spike 3000 would be
        expect(rel(integral / T, ss.meanY)).toBeLessThan(1e-12);
      });
    }
  }
});
