import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { depressionStationaryMoments } from '../../../src/synapse/stpMoments';
import { depressionRegularEfficacy, threeStateRegularState, tmRegularEfficacies } from '../../../src/synapse/stpRegularTrain';
import { meanSe, probe, scenario } from './support';

describe('depression under Poisson input: stationary moments (docs/equations.md §4)', () => {
  const dt = 1e-4;
  const rate = 10;
  const stp = { model: 'depression' as const, U: 0.5, tauD: 0.5 };
  const exact = depressionStationaryMoments(stp, rate);
  /**
   * The engine's spikes are Bernoulli per step (probability 1 − e^{−r dt}) at the step starts,
   * not a Poisson process; the exact stationary E[x] of that discrete process (x at step starts,
   * kick x ← (1 − U)x with probability p, then exact relaxation) is (1 − e)/(1 − e + pUe),
   * e = e^{−dt/τD}. At dt = 0.1 ms its relative difference from 1/(1 + UrτD) is about 6e-4,
   * which the assertion below shows is far below the standard errors of these tests.
   */
  const e = Math.exp(-dt / stp.tauD);
  const p = -Math.expm1(-rate * dt);
  const discreteEx = (1 - e) / (1 - e + p * stp.U * e);
  const run = (N: number, trials: number, duration: number, seed: number) =>
    simulateMicroCpu(
      scenario({
        populations: { pre: { model: 'poisson', N, rate: { type: 'constant', value: rate } }, post: probe(1) },
        projections: [{ from: 'pre', to: 'post', connectivity: { type: 'all-to-all' }, weight: 0, delay: dt, filter: { type: 'delta' }, stp }],
        run: { dt, duration, trials, seed },
        record: { stp: true, binSize: 0.01 },
      }),
    );
  const burnBins = 100; // 1 s ≫ the relaxation time 1/(1/τD + U r) = 0.14 s

  it('E[x]: the time average of the recorded mean x over 100 presynaptic neurons (trials give independent estimates; within 4 s.e.)', () => {
    const trials = 8;
    const r = run(100, trials, 6, 11);
    const x = r.stp['pre->post'].x;
    const perTrial = Array.from({ length: trials }, (_, b) => {
      let s = 0;
      for (let k = burnBins; k < r.bins; k++) s += x[b * r.bins + k];
      return s / (r.bins - burnBins);
    });
    const { mean, se } = meanSe(perTrial);
    expect(Math.abs(discreteEx - exact.Ex)).toBeLessThan(0.5 * se);
    expect(Math.abs(mean - exact.Ex)).toBeLessThan(4 * se);
    // The recorded value is a mean over 100 independent synapses: its variance across time is Var(x)/N.
    // The bins are correlated over ~0.14 s, so this estimate is noisy: ±50 % only separates Var(x)/N from Var(x).
    const { sd } = meanSe(x.subarray(burnBins, r.bins));
    expect(sd * sd).toBeLessThan((1.5 * exact.varX) / 100);
    expect(sd * sd).toBeGreaterThan((0.5 * exact.varX) / 100);
  });

  it('E[x²]: one presynaptic neuron over 160 trials (time average of x² per trial; within 4 s.e.)', () => {
    const trials = 160;
    const r = run(1, trials, 5, 12);
    const x = r.stp['pre->post'].x;
    const perTrial = Array.from({ length: trials }, (_, b) => {
      let s = 0;
      for (let k = burnBins; k < r.bins; k++) s += x[b * r.bins + k] ** 2;
      return s / (r.bins - burnBins);
    });
    const { mean, se } = meanSe(perTrial);
    expect(Math.abs(mean - exact.Ex2)).toBeLessThan(4 * se);
    expect(se / exact.Ex2).toBeLessThan(0.03); // resolves E[x²] (and rules out E[x]² = 0.082 vs E[x²] = 0.099)
  });
});

describe('STP efficacies under a regular presynaptic train (a deterministic LIF firing periodically)', () => {
  const dt = 1e-4;
  const tauM = 0.02;
  const J = 0.5;
  /** Efficacies read from the delta-synapse input (τm·J·w/dt in the arrival step) and the pre's period in steps. */
  function efficacies(stp: Record<string, unknown>, filter: Record<string, unknown> = { type: 'delta' }) {
    const r = simulateMicroCpu(
      scenario({
        populations: { pre: { model: 'lif', N: 1, tauM, mu: { type: 'constant', value: 30 }, uReset: 0, tRef: 0.001, uTh: 15 }, post: probe(1) },
        projections: [{ from: 'pre', to: 'post', connectivity: { type: 'all-to-all' }, weight: J, delay: dt, filter, stp } as never],
        run: { dt, duration: 0.3, seed: 1 },
        record: { inputs: [{ population: 'post', neurons: 1 }], spikes: [{ population: 'pre', neurons: 1 }] },
      }),
    );
    const times = r.spikes.pre.time;
    const period = Math.round((times[1] - times[0]) / dt);
    for (let q = 1; q < times.length; q++) expect(Math.round((times[q] - times[q - 1]) / dt)).toBe(period);
    return { I: r.inputs.post.sampled, arrivals: Array.from(times, (t) => Math.round(t / dt) + 1), period };
  }
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

  it('Tsodyks–Markram (U0 = 0 and U0 = U) matches tmRegularEfficacies to 1e-10', () => {
    for (const U0 of [0, 0.2]) {
      const p = { U: 0.2, U0, tauD: 0.2, tauF: 0.5 };
      const { I, arrivals, period } = efficacies({ model: 'tsodyks-markram', ...p });
      const want = tmRegularEfficacies(p, period * dt, arrivals.length);
      arrivals.forEach((a, k) => {
        expect(rel((I[a] * dt) / (tauM * J), want[k])).toBeLessThan(1e-10);
      });
      expect(arrivals.length).toBeGreaterThan(15);
    }
  });

  it('depression matches depressionRegularEfficacy to 1e-10', () => {
    const p = { U: 0.4, tauD: 0.3 };
    const { I, arrivals, period } = efficacies({ model: 'depression', ...p });
    arrivals.forEach((a, k) => {
      expect(rel((I[a] * dt) / (tauM * J), depressionRegularEfficacy(p, period * dt, k))).toBeLessThan(1e-10);
    });
  });

  it('three-state: the releases U·x⁻ (deconvolved from the τin stage on the postsynaptic side) match threeStateRegularState', () => {
    const p = { U: 0.4, tauIn: 0.003, tauRec: 0.4 };
    const { I, arrivals, period } = efficacies({ model: 'three-state', ...p });
    // Delta filter + three-state = exponential stage τin, integral-normalised: I = τm·J·Y/τin.
    const decay = Math.exp(-dt / p.tauIn);
    arrivals.forEach((a, k) => {
      const released = ((I[a] - I[a - 1] * decay) * p.tauIn) / (tauM * J);
      expect(rel(released, threeStateRegularState(p, period * dt, k).release)).toBeLessThan(1e-9);
    });
  });
});
