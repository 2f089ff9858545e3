/** The STP mean-field of a projection: exact maps, the age-resolved mode, the moments' drive. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { macroFixedPoints } from '../../../src/meso/fixedPoints';
import { stationaryMeans } from '../../../src/meso/stationary';
import { simulateMeso, StpMeanField } from '../../../src/meso';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { parseScenario } from '../../../src/model/validate';
import type { Recording } from '../../../src/model/recording';
import { mean } from '../microCpu/support';
import { dt, neuron0, trialStats } from './support';

describe('STP mean-field of a projection', () => {
  it('depression, constant activity: x̄ converges to the fixed point of the discrete release-and-recover map (1e-12) and to 1/(1 + U r τD) within O(dt)', () => {
    const U = 0.5;
    const tauD = 0.8;
    const r = 20;
    const mf = new StpMeanField({ model: 'depression', params: { U, tauD } }, 'mf2', 1, dt);
    for (let n = 0; n < 40000; n++) {
      const W = mf.efficacy(0, 100, 100);
      mf.release(0, W * r, r * dt, dt);
      mf.advanceMoments(r, dt);
    }
    const d = Math.exp(-dt / tauD);
    const exact = (1 - d) / (1 - d + d * U * r * dt);
    expect(mf.x[0]).toBeCloseTo(exact, 12);
    expect(Math.abs(mf.x[0] * (1 + U * r * tauD) - 1)).toBeLessThan(2 * U * r * dt);
  });

  it('Tsodyks–Markram with τF = 0 is the depression model with U0 + U(1 − U0), and reports u = U0', () => {
    const tm = new StpMeanField({ model: 'tsodyks-markram', params: { U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0 } }, 'mf2', 1, dt);
    const dep = new StpMeanField({ model: 'depression', params: { U: 0.36, tauD: 0.2 } }, 'mf2', 1, dt);
    for (let n = 0; n < 2000; n++) {
      for (const mf of [tm, dep]) {
        const W = mf.efficacy(0, 50, 50);
        mf.release(0, W * 30, 30 * dt, dt);
        mf.advanceMoments(30, dt);
      }
    }
    expect(tm.x[0]).toBeCloseTo(dep.x[0], 14);
    expect(tm.variables()).toEqual({ u: 0.2, x: tm.x[0] });
  });
});

describe("age-resolved STP (stp: 'age')", () => {
  it('equals MF2 bit for bit when the presynaptic population is Poisson (memoryless: no age structure)', () => {
    const preset = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
    preset.run = { ...preset.run, trials: 3, duration: 0.6 };
    const s = parseScenario(preset);
    const a = simulateMeso(s, { level: 'meso', stp: 'mf2' });
    const b = simulateMeso(s, { level: 'meso', stp: 'age' });
    expect(Array.from(b.inputs.post_all.sampled)).toEqual(Array.from(a.inputs.post_all.sampled));
    expect(Array.from(b.activity.post_c40)).toEqual(Array.from(a.activity.post_c40));
  });

  it('recurrent depression in a regular-firing state: the resources of the firing neurons and the rate match micro-cpu, where MF2 misses them', () => {
    // The Up state of the V3 network (μ raised so that it is the only state): neurons fire every
    // ≈ 30 ms, so those that fire have recovered more than the population mean x̄.
    const preset = JSON.parse(readFileSync('scenarios/v3-up-down.json', 'utf8'));
    preset.populations.E.mu.value = 11.5;
    preset.run = { ...preset.run, duration: 3 };
    preset.record = { activity: true, binSize: 0.1, stp: true };
    const s = parseScenario(preset);
    const from = 5; // after 0.5 s
    const stats = (r: Recording) => ({ rate: mean(r.activity.E, from), x: mean(r.stp['E->E'].x, from) });
    const micro = stats(simulateMicroCpu(s));
    const age = stats(simulateMeso(s, { level: 'macro', stp: 'age' }));
    const mf2 = stats(simulateMeso(s, { level: 'macro', stp: 'mf2' }));
    // 2.5 s of 500 neurons at ≈ 33 Hz: the micro rate is known to ≈ 0.3 %, x̄ to ≈ 0.2 %.
    expect(Math.abs(age.rate / micro.rate - 1)).toBeLessThan(0.015);
    expect(Math.abs(age.x / micro.x - 1)).toBeLessThan(0.01);
    expect(Math.abs(mf2.rate / micro.rate - 1)).toBeGreaterThan(0.03);
    expect(Math.abs(mf2.x / micro.x - 1)).toBeGreaterThan(0.05);
  });
});

describe("age-resolved STP: the spread of the spikers' resources", () => {
  it('stationary E[x⁻²] at spikes of a renewal process (refractory Poisson ISIs) matches a Monte Carlo of the spike-by-spike map (4 s.e.)', () => {
    const U = 0.3;
    const tauD = 0.25;
    const P = 0.02; // hazard per step after a dead time of R steps: 40 Hz, ≈ 33 Hz with refractoriness
    const R = 8;
    const D = Math.exp(-dt / tauD);
    // Σ_j f_j·d^{j+1} with f_j = P(1 − P)^{j−R} for j ≥ R.
    const G = (d: number) => (d ** (R + 1) * P) / (1 - (1 - P) * d);
    const s = stationaryMeans({ model: 'depression', params: { U, tauD } }, 'age', 0, dt, G);
    let state = 12345;
    const uniform = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state + 0.5) / 2 ** 32;
    };
    let x = 1;
    let m1 = 0;
    let m2 = 0;
    let m4 = 0;
    const n = 200000;
    for (let i = 0; i < n + 1000; i++) {
      const steps = R + 1 + Math.floor(Math.log(uniform()) / Math.log(1 - P));
      x = 1 - (1 - (1 - U) * x) * D ** steps;
      if (i >= 1000) {
        m1 += x;
        m2 += x * x;
        m4 += x ** 4;
      }
    }
    m1 /= n;
    m2 /= n;
    m4 /= n;
    // Successive x are correlated (through x itself, factor ≈ (1 − U)·E[D^ISI]); a generous s.e.
    const se = Math.sqrt((m4 - m2 * m2) / n) * 3;
    expect(Math.abs(s.x - m1)).toBeLessThan(4 * se);
    expect(Math.abs(s.x2! - m2)).toBeLessThan(4 * se);
    expect(s.x2! - s.x * s.x).toBeGreaterThan(0);
  });

  it('regular firing (the V3 Up state): the fluctuations of A_N match micro-cpu within 10 %; MF2 (Poisson spread) overshoots by more than 15 %', () => {
    const preset = JSON.parse(readFileSync('scenarios/v3-up-down.json', 'utf8'));
    preset.populations.E.mu.value = 11.5;
    preset.run = { ...preset.run, duration: 20, trials: 2 };
    preset.record = { activity: true, binSize: 0.01 };
    const s = parseScenario(preset);
    /** The s.d. of A_N in 10-ms bins after 1 s; ≈ 1500 independent samples per level, s.e. ≈ 2 %. */
    const sd = (r: Recording) => {
      const v: number[] = [];
      for (let t = 0; t < r.trials; t++) for (let k = 100; k < r.bins; k++) v.push(r.activity.E[t * r.bins + k]);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    const micro = sd(simulateMicroCpu(s));
    const age = sd(simulateMeso(s, { level: 'meso', stp: 'age' }));
    const mf2 = sd(simulateMeso(s, { level: 'meso', stp: 'mf2' }));
    expect(Math.abs(age / micro - 1), `age ${age} micro ${micro}`).toBeLessThan(0.1);
    expect(mf2 / micro - 1, `mf2 ${mf2} micro ${micro}`).toBeGreaterThan(0.15);
  });
});

describe('second moments driven by the realised activity (moments: realised)', () => {
  it('changes the noise but not the trial mean of the input (V2 shortened, within 1.5 %)', () => {
    const preset = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
    preset.run = { ...preset.run, trials: 100 };
    preset.record = { ...preset.record, binSize: 0.002, stp: false };
    const s = parseScenario(preset);
    const a = simulateMeso(s, { level: 'meso' });
    const b = simulateMeso(s, { level: 'meso', moments: 'realised' });
    expect(b.engine.stpMoments).toBe('driven by the realised activity A_N');
    const x = trialStats(neuron0(a, 'post_all'), 100, a.bins, 400, 500);
    const y = trialStats(neuron0(b, 'post_all'), 100, b.bins, 400, 500);
    expect(Array.from(b.inputs.post_all.sampled)).not.toEqual(Array.from(a.inputs.post_all.sampled));
    expect(Math.abs(y.mean / x.mean - 1)).toBeLessThan(0.015);
  });
});

describe('three-state STP at the meso level', () => {
  /** 100 Poisson neurons stepping 5 → 30 → 5 Hz onto 10 probes through three-state synapses (U = 0.5, τin = 3 ms, τrec = 0.5 s). */
  const feedforward = (filter: Record<string, unknown>, trials: number) =>
    parseScenario({
      name: 'three-state feedforward',
      populations: {
        pre: { model: 'poisson', N: 100, rate: { type: 'steps', times: [0.3, 0.6], values: [5, 30, 5] } },
        post: { model: 'glif', N: 10, tauM: 0.02, mu: { type: 'constant', value: 0 }, uReset: 0, tRef: 0.004, c: 10, deltaU: 5, uTh: 20 },
      },
      projections: [
        {
          from: 'pre',
          to: 'post',
          connectivity: { type: 'all-to-all' },
          weight: 0.5,
          delay: 0.001,
          filter,
          stp: { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.5 },
        },
      ],
      run: { dt, duration: 0.9, trials, seed: 11 },
      record: { binSize: 0.002, inputs: [{ population: 'post', neurons: 1 }], stp: true },
    });

  for (const filter of [
    { type: 'exponential', tau: 0.01 },
    { type: 'alpha', tau: 0.005 },
  ]) {
    it(`${filter.type} filter (${filter.type === 'alpha' ? 'a three-stage cascade' : 'a dual exponential'} with the y stage): MF2 trial mean and s.d. of the input match micro-cpu; MF1 misses the s.d.`, () => {
      const s = feedforward(filter, 300);
      const micro = simulateMicroCpu(s);
      const mf2 = simulateMeso(s, { level: 'meso', stp: 'mf2' });
      const mf1 = simulateMeso(s, { level: 'meso', stp: 'mf1' });
      expect(Object.keys(mf2.stp['pre->post'])).toEqual(['x', 'y', 'z']);
      // 5 Hz, onset of 30 Hz, 30 Hz depressed, back at 5 Hz (bins of 2 ms). 300 trials per engine.
      for (const [from, to] of [
        [100, 150],
        [150, 175],
        [250, 300],
        [400, 450],
      ] as [number, number][]) {
        const a = trialStats(neuron0(micro, 'post'), 300, micro.bins, from, to);
        const b = trialStats(neuron0(mf2, 'post'), 300, mf2.bins, from, to);
        expect(Math.abs(b.mean / a.mean - 1), `mean [${from}, ${to})`).toBeLessThan(0.04);
        expect(Math.abs(b.sd / a.sd - 1), `sd [${from}, ${to})`).toBeLessThan(0.07);
        if (from === 250) expect(trialStats(neuron0(mf1, 'post'), 300, mf1.bins, from, to).sd / a.sd).toBeLessThan(0.9);
      }
    }, 120_000);
  }

  it('a recurrent network with three-state synapses and an alpha filter: the macro run settles on the fixed point (rel. 1e-5)', () => {
    const s = parseScenario({
      name: 'three-state recurrent',
      populations: { E: { model: 'glif', N: 500, tauM: 0.02, mu: { type: 'constant', value: 11 }, uReset: 0, tRef: 0.004, c: 10, deltaU: 2, uTh: 15 } },
      projections: [
        {
          from: 'E',
          to: 'E',
          connectivity: { type: 'fixed-indegree', C: 100 },
          weight: 0.5,
          delay: 0.001,
          filter: { type: 'alpha', tau: 0.005 },
          stp: { model: 'three-state', U: 0.3, tauIn: 0.003, tauRec: 0.3 },
        },
      ],
      run: { dt, duration: 4, seed: 1 },
      record: { binSize: 0.5 },
    });
    const fps = macroFixedPoints(s, { stp: 'mf2' });
    expect(fps.length).toBeGreaterThan(0);
    const r = simulateMeso(s, { level: 'macro' });
    const last = r.activity.E[r.bins - 1];
    expect(Math.min(...fps.map((f) => Math.abs(last / f.rates.E - 1)))).toBeLessThan(1e-5);
  });
});
