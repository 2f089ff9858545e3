/** The STP mean-field of a projection: exact maps, the age-resolved mode, the moments' drive. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
