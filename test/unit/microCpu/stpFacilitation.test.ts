import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { uStationaryMoments } from '../../../src/synapse/stpMoments';
import { meanSe, probe, scenario } from './support';

/**
 * docs/validation/plan.md V1, facilitation: the stationary E[u] and E[u²] of a Tsodyks–Markram synapse
 * under Poisson input are exact (docs/equations.md §4: u's jump is affine in u, so its moments close),
 * and the micro engine must reproduce them within a few standard errors.
 */
describe('facilitation under Poisson input: stationary moments of u (docs/equations.md §4)', () => {
  const dt = 2e-4;
  const rate = 10;
  const stp = { model: 'tsodyks-markram' as const, U: 0.2, U0: 0.05, tauD: 0.1, tauF: 0.5 };
  const exact = uStationaryMoments(stp, rate);
  /**
   * The engine's spikes are Bernoulli per step at the step starts; the recorded u is u at a step
   * start (relaxed to the end of the bin). Its exact stationary moments, with e = e^{−dt/τF},
   * p = 1 − e^{−r dt}, a = 1 − U and u ← U + a u with probability p, then u ← U0 + (u − U0)e:
   *   E[u]  = (U0(1 − e) + epU) / (1 − e + epU),
   *   E[u²] = (U0²(1 − e)² + 2U0(1 − e)e(E[u] + pU(1 − E[u])) + e²p(U² + 2UaE[u])) / (1 − e²(1 − p + pa²)).
   * They differ from the Poisson values by O(r·dt); the assertions below show that this is below
   * half a standard error, so the comparison is with the theory's values.
   */
  const e = Math.exp(-dt / stp.tauF);
  const p = -Math.expm1(-rate * dt);
  const { U, U0 } = stp;
  const a = 1 - U;
  const discreteEu = (U0 * (1 - e) + e * p * U) / (1 - e + e * p * U);
  const discreteEu2 =
    (U0 * U0 * (1 - e) ** 2 + 2 * U0 * (1 - e) * e * (discreteEu + p * U * (1 - discreteEu)) + e * e * p * (U * U + 2 * U * a * discreteEu)) /
    (1 - e * e * (1 - p + p * a * a));
  const run = (N: number, trials: number, duration: number, seed: number) =>
    simulateMicroCpu(
      scenario({
        populations: { pre: { model: 'poisson', N, rate: { type: 'constant', value: rate } }, post: probe(1) },
        projections: [{ from: 'pre', to: 'post', connectivity: { type: 'all-to-all' }, weight: 0, delay: dt, filter: { type: 'delta' }, stp }],
        run: { dt, duration, trials, seed },
        record: { stp: true, binSize: 0.01 },
      }),
    );
  // 1.5 s: six relaxation times 1/(1/τF + rU) = 0.25 s; what is left of the start u = U0 biases the means by < 1e-4.
  const burnBins = 150;
  /** Time average of f(u) after the burn-in, one value per trial (independent). */
  const perTrial = (u: ArrayLike<number>, bins: number, trials: number, f: (v: number) => number) =>
    Array.from({ length: trials }, (_, b) => {
      let s = 0;
      for (let k = burnBins; k < bins; k++) s += f(u[b * bins + k]);
      return s / (bins - burnBins);
    });

  it('E[u]: the time average of the recorded mean u over 40 presynaptic neurons (24 trials give independent estimates; within 4 s.e.)', () => {
    // 24 trials rather than fewer, longer ones: the standard error is itself estimated from the trials.
    const trials = 24;
    const r = run(40, trials, 4, 21);
    const { mean, se } = meanSe(perTrial(r.stp['pre->post'].u, r.bins, trials, (v) => v));
    expect(Math.abs(discreteEu - exact.Eu)).toBeLessThan(0.5 * se);
    expect(Math.abs(mean - exact.Eu)).toBeLessThan(4 * se);
    expect(se / exact.Eu).toBeLessThan(0.006);
  });

  it('E[u²]: one presynaptic neuron over 200 trials (time average of u² per trial; within 4 s.e.)', () => {
    const trials = 200;
    const r = run(1, trials, 4, 22);
    const { mean, se } = meanSe(perTrial(r.stp['pre->post'].u, r.bins, trials, (v) => v * v));
    expect(Math.abs(discreteEu2 - exact.Eu2)).toBeLessThan(0.5 * se);
    expect(Math.abs(mean - exact.Eu2)).toBeLessThan(4 * se);
    // Resolves the second moment: E[u²] − E[u]² = Var(u) is more than 3 s.e.
    expect(exact.Eu2 - exact.Eu ** 2).toBeGreaterThan(3 * se);
  });
});
