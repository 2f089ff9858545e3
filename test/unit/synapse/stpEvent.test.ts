import { describe, expect, it } from 'vitest';
import { TM_PRESETS, createTmState, tmOnSpike, tmRelax, tmRestingUPlus, tmTrainEfficacies, type TmParams } from '../../../src/synapse/stpTsodyksMarkram';
import { createDepressionState, depressionOnSpike, depressionRelax, depressionTrainEfficacies } from '../../../src/synapse/stpDepression';
import { createThreeStateState, threeStateOnSpike, threeStateRelax, threeStateTrainReleases } from '../../../src/synapse/stpThreeState';
import { philoxBlocksCpu, uniformsFromBits } from '../../../src/rng/philoxBlocks';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, rel(a[k], b[k]));
  return m;
};

/** A fixed irregular spike train: exponential ISIs of mean 1/rate plus a 1 ms floor. */
function irregularTrain(n: number, rate: number, seed: number): Float64Array {
  const u = uniformsFromBits(philoxBlocksCpu([seed, 0], [0, 0, 0, 0], Math.ceil(n / 4)));
  const t = new Float64Array(n);
  let now = 0;
  for (let k = 0; k < n; k++) {
    t[k] = now;
    now += 1e-3 - Math.log(u[k]) / rate;
  }
  return t;
}

const facil: TmParams = { U: 0.1, U0: 0, tauD: 0.1, tauF: 1 };
const mongillo: TmParams = TM_PRESETS.workingMemory;

describe('Tsodyks–Markram u–x model (event-driven)', () => {
  it('first spike from rest: w = U for U0 = 0, w = U(2 − U) for U0 = U', () => {
    expect(tmTrainEfficacies({ U: 0.3, U0: 0, tauD: 0.5, tauF: 0.5 }, [0])[0]).toBe(0.3);
    expect(tmTrainEfficacies({ U: 0.3, U0: 0.3, tauD: 0.5, tauF: 0.5 }, [0])[0]).toBeCloseTo(0.3 * 1.7, 15);
    expect(tmRestingUPlus({ U: 0.3, U0: 0.3, tauD: 0.5, tauF: 0 })).toBeCloseTo(0.51, 15);
  });

  it('one spike by hand: u⁺ = u⁻ + U(1 − u⁻), w = u⁺x⁻, x⁺ = x⁻ − w after exact relaxation (rel 1e-15)', () => {
    const p: TmParams = { U: 0.2, U0: 0.05, tauD: 0.3, tauF: 0.7 };
    const s = createTmState(p, 1, 0);
    s.u[0] = 0.6;
    s.x[0] = 0.4;
    const w = tmOnSpike(p, s, 0, 0.25);
    const uMinus = 0.05 + (0.6 - 0.05) * Math.exp(-0.25 / 0.7);
    const xMinus = 1 + (0.4 - 1) * Math.exp(-0.25 / 0.3);
    const uPlus = uMinus + 0.2 * (1 - uMinus);
    expect(rel(w, uPlus * xMinus)).toBeLessThan(1e-15);
    expect(rel(s.u[0], uPlus)).toBeLessThan(1e-15);
    expect(rel(s.x[0], xMinus - uPlus * xMinus)).toBeLessThan(1e-15);
    expect(s.tLast[0]).toBe(0.25);
  });

  it('relaxation is exact: relax(a) then relax(b) = relax(a + b), and 1000 small steps = one (rel 1e-13)', () => {
    for (const p of [facil, mongillo, TM_PRESETS.facilitating]) {
      const s = createTmState(p, 3, 0);
      for (let i = 0; i < 3; i++) {
        s.u[i] = 0.7;
        s.x[i] = 0.2;
      }
      tmRelax(p, s, 0, 0.137);
      tmRelax(p, s, 0, 0.137 + 0.291);
      tmRelax(p, s, 1, 0.428);
      for (let k = 1; k <= 1000; k++) tmRelax(p, s, 2, (0.428 * k) / 1000);
      expect(rel(s.u[0], s.u[1])).toBeLessThan(1e-13);
      expect(rel(s.x[0], s.x[1])).toBeLessThan(1e-13);
      expect(rel(s.u[2], s.u[1])).toBeLessThan(1e-13);
      expect(rel(s.x[2], s.x[1])).toBeLessThan(1e-13);
    }
  });

  it('reading the state between spikes does not change the efficacies (rel 1e-13)', () => {
    const times = irregularTrain(300, 20, 11);
    const direct = tmTrainEfficacies(facil, times);
    const s = createTmState(facil, 1, 0);
    const probed = new Float64Array(times.length);
    for (let k = 0; k < times.length; k++) {
      if (k > 0) tmRelax(facil, s, 0, 0.5 * (times[k - 1] + times[k]));
      probed[k] = tmOnSpike(facil, s, 0, times[k]);
    }
    expect(maxRel(probed, direct)).toBeLessThan(1e-13);
  });

  it('τF → 0 and τD → 0 are continuous limits (error ≤ e^{−minISI/τ} scale, → 0 at τ = 0)', () => {
    const times = irregularTrain(200, 30, 5); // ISIs ≥ 1 ms
    for (const U0 of [0, 0.25]) {
      const base: TmParams = { U: 0.25, U0, tauD: 0.2, tauF: 0 };
      const atZero = tmTrainEfficacies(base, times);
      let previous = Infinity;
      for (const tauF of [1e-3, 3e-4, 1e-4, 3e-5, 1e-5]) {
        const err = maxRel(tmTrainEfficacies({ ...base, tauF }, times), atZero);
        expect(err).toBeLessThanOrEqual(previous);
        expect(err).toBeLessThan(2 * Math.exp(-1e-3 / tauF) + 1e-15);
        previous = err;
      }
      const fBase: TmParams = { U: 0.25, U0, tauD: 0, tauF: 0.4 };
      const fZero = tmTrainEfficacies(fBase, times);
      previous = Infinity;
      for (const tauD of [1e-3, 3e-4, 1e-4, 3e-5, 1e-5]) {
        const err = maxRel(tmTrainEfficacies({ ...fBase, tauD }, times), fZero);
        expect(err).toBeLessThanOrEqual(previous);
        expect(err).toBeLessThan(2 * Math.exp(-1e-3 / tauD) + 1e-15);
        previous = err;
      }
      // τD = 0: x = 1 at every spike, w = u⁺ (pure facilitation).
      const s = createTmState(fBase, 1, 0);
      for (const t of times) {
        const w = tmOnSpike(fBase, s, 0, t);
        expect(w).toBe(s.u[0]);
      }
    }
  });

  it('τF = 0 uses u⁺ = U0 + U(1 − U0) at every spike; simultaneous spikes still facilitate (the limit)', () => {
    const p: TmParams = { U: 0.3, U0: 0.3, tauD: 0.5, tauF: 0 };
    const s = createTmState(p, 1, 0);
    tmOnSpike(p, s, 0, 0.1);
    expect(s.u[0]).toBeCloseTo(0.51, 15);
    tmOnSpike(p, s, 0, 0.1); // Δ = 0: no time to relax
    expect(s.u[0]).toBeCloseTo(0.51 + 0.3 * 0.49, 15);
    // The τF → 0 limit with Δ = 0 is the same thing.
    const q: TmParams = { ...p, tauF: 1e-12 };
    const sq = createTmState(q, 1, 0);
    tmOnSpike(q, sq, 0, 0.1);
    tmOnSpike(q, sq, 0, 0.1);
    expect(sq.u[0]).toBe(s.u[0]);
    tmOnSpike(p, s, 0, 0.2);
    expect(s.u[0]).toBeCloseTo(0.51, 15);
  });

  it('with τF = 0 and U0 = 0 it is the depression-only model (rel 1e-14)', () => {
    const times = irregularTrain(500, 15, 3);
    const tm = tmTrainEfficacies(TM_PRESETS.depressing, times);
    const dep = depressionTrainEfficacies({ U: 0.5, tauD: 0.8 }, times);
    expect(maxRel(tm, dep)).toBeLessThan(1e-14);
  });
});

describe('depression-only model (event-driven)', () => {
  it('relaxation is exact and x⁺ = x⁻(1 − U) (rel 1e-13)', () => {
    const p = { U: 0.4, tauD: 0.6 };
    const s = createDepressionState(2, 0);
    s.x[0] = s.x[1] = 0.1;
    depressionRelax(p, s, 0, 0.2);
    depressionRelax(p, s, 0, 0.5);
    depressionRelax(p, s, 1, 0.5);
    expect(rel(s.x[0], s.x[1])).toBeLessThan(1e-13);
    const xMinus = s.x[1];
    const w = depressionOnSpike(p, s, 1, 0.5);
    expect(w).toBe(0.4 * xMinus);
    expect(rel(s.x[1], 0.6 * xMinus)).toBeLessThan(1e-15);
  });
});

describe('three-state model (event-driven)', () => {
  const p = { U: 0.5, tauIn: 0.003, tauRec: 0.8 };

  it('conserves x + y + z = 1 and matches an independent linear ODE solution (rel 1e-12)', () => {
    const s = createThreeStateState(1, 0);
    threeStateOnSpike(p, s, 0, 0);
    threeStateOnSpike(p, s, 0, 0.002);
    const y0 = s.y[0];
    const z0 = s.z[0];
    threeStateRelax(p, s, 0, 0.012);
    // Independent: eigen-solution of the 2×2 linear system y' = −y/τin, z' = y/τin − z/τrec.
    const d = 0.01;
    const y = y0 * Math.exp(-d / p.tauIn);
    const z = z0 * Math.exp(-d / p.tauRec) + ((y0 * p.tauRec) / (p.tauRec - p.tauIn)) * (Math.exp(-d / p.tauRec) - Math.exp(-d / p.tauIn));
    expect(rel(s.y[0], y)).toBeLessThan(1e-12);
    expect(rel(s.z[0], z)).toBeLessThan(1e-12);
    expect(Math.abs(s.x[0] + s.y[0] + s.z[0] - 1)).toBeLessThan(1e-15);
  });

  it('relaxation is exact in many steps, and the returned ∫y sums across steps (rel 1e-12)', () => {
    for (const q of [p, { U: 0.5, tauIn: 0.05, tauRec: 0.05 }]) {
      const a = createThreeStateState(2, 0);
      threeStateOnSpike(q, a, 0, 0);
      threeStateOnSpike(q, a, 1, 0);
      const one = threeStateRelax(q, a, 0, 0.1);
      let many = 0;
      for (let k = 1; k <= 1000; k++) many += threeStateRelax(q, a, 1, (0.1 * k) / 1000);
      expect(rel(a.y[1], a.y[0])).toBeLessThan(1e-12);
      expect(rel(a.z[1], a.z[0])).toBeLessThan(1e-12);
      expect(rel(a.x[1], a.x[0])).toBeLessThan(1e-12);
      expect(rel(many, one)).toBeLessThan(1e-12);
      expect(rel(one, 0.5 * q.tauIn * (1 - Math.exp(-0.1 / q.tauIn)))).toBeLessThan(1e-14);
    }
  });

  it('τin = τrec is the exact degenerate case and continuous with τin → τrec (rel ≤ 3ε)', () => {
    const tau = 0.05;
    const equal = threeStateTrainReleases({ U: 0.4, tauIn: tau, tauRec: tau }, irregularTrain(100, 20, 9));
    for (const eps of [1e-4, 1e-7, 1e-10]) {
      const near = threeStateTrainReleases({ U: 0.4, tauIn: tau * (1 + eps), tauRec: tau }, irregularTrain(100, 20, 9));
      expect(maxRel(near, equal)).toBeLessThan(3 * eps + 1e-14);
    }
    // By hand after one spike: z(Δ) = U (Δ/τ) e^{−Δ/τ}.
    const s = createThreeStateState(1, 0);
    threeStateOnSpike({ U: 0.4, tauIn: tau, tauRec: tau }, s, 0, 0);
    threeStateRelax({ U: 0.4, tauIn: tau, tauRec: tau }, s, 0, 0.03);
    expect(rel(s.z[0], 0.4 * (0.03 / tau) * Math.exp(-0.03 / tau))).toBeLessThan(1e-15);
  });
});
