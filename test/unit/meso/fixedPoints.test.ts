/** Fixed points of the macro equations and their stability, against long macro runs. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateMeso } from '../../../src/meso';
import { analyzeFixedPoints, sweepFixedPoints } from '../../../src/meso/analyze';
import { macroFixedPoints } from '../../../src/meso/fixedPoints';
import { stationaryEfficacy } from '../../../src/meso/stationary';
import { parseScenario } from '../../../src/model/validate';
import type { Recording } from '../../../src/model/recording';
import { dt } from './support';

describe('macro fixed points (mesostp analyze)', () => {
  const v3 = () => JSON.parse(readFileSync('scenarios/v3-up-down.json', 'utf8'));
  const lastBin = (r: Recording, pop: string) => r.activity[pop][r.bins - 1];

  it('V3: three fixed points, the middle one unstable by the slope test; a long macro run from rest settles on the lower one (rel. 1e-5)', () => {
    const s = parseScenario(v3());
    const fps = macroFixedPoints(s, { stp: 'mf2' });
    expect(fps.map((f) => f.slope! > 1)).toEqual([false, true, false]);
    const run = v3();
    run.run = { ...run.run, duration: 20 };
    run.record = { activity: true, binSize: 1 };
    const r = simulateMeso(parseScenario(run), { level: 'macro', stp: 'mf2' });
    expect(Math.abs(lastBin(r, 'E') / fps[0].rates.E - 1)).toBeLessThan(1e-5);
  });

  it('a single Up state, the E–I pair (Newton in two dimensions) and age-resolved STP: the macro run settles on the fixed point (rel. 1e-5)', () => {
    const up = v3();
    up.populations.E.mu.value = 11.5;
    const ei = JSON.parse(readFileSync('scenarios/v5-static-ei.json', 'utf8'));
    for (const [input, stp] of [
      [up, 'mf2'],
      [up, 'age'],
      [ei, 'mf2'],
    ] as const) {
      const fps = macroFixedPoints(parseScenario(input), { stp });
      expect(fps.length).toBe(1);
      const run = structuredClone(input);
      run.run = { ...run.run, duration: 10, trials: 1 };
      run.record = { activity: true, binSize: 1 };
      const r = simulateMeso(parseScenario(run), { level: 'macro', stp });
      for (const pop of Object.keys(fps[0].rates)) expect(Math.abs(lastBin(r, pop) / fps[0].rates[pop] - 1), `${stp} ${pop}`).toBeLessThan(1e-5);
    }
  });

  it('the sweep finds the saddle-node of V3, and macro runs agree: below it the network stays Down, above it it goes Up', () => {
    const sweep = sweepFixedPoints(v3(), 'populations.E.mu.value', [9.9, 10.0], { stp: 'mf2' });
    expect(sweep.map((p) => p.fixedPoints.length)).toEqual([3, 1]);
    for (const p of sweep) {
      const run = v3();
      run.populations.E.mu.value = p.value;
      run.run = { ...run.run, duration: 10 };
      run.record = { activity: true, binSize: 1 };
      const r = simulateMeso(parseScenario(run), { level: 'macro', stp: 'mf2' });
      const target = p.fixedPoints[0].rates.E; // the lowest: Down below the saddle-node, the only (Up) state above
      expect(Math.abs(lastBin(r, 'E') / target - 1), `μ = ${p.value}`).toBeLessThan(1e-4);
    }
  });

  it('stationary efficacy: `age` with a Poisson ISI distribution is MF2 exactly; for depression MF1 = MF2', () => {
    const dep = { model: 'depression' as const, params: { U: 0.4, tauD: 0.5 } };
    for (const r of [1, 10, 80]) {
      const P = -Math.expm1(-r * dt);
      const G = (D: number) => (P * D) / (1 - (1 - P) * D);
      const rate = P / dt;
      expect(stationaryEfficacy(dep, 'age', rate, dt, G)).toBeCloseTo(stationaryEfficacy(dep, 'mf2', rate, dt), 14);
      expect(stationaryEfficacy(dep, 'mf1', rate, dt)).toBe(stationaryEfficacy(dep, 'mf2', rate, dt));
    }
  });
});

describe('stability of macro fixed points (perturbation runs)', () => {
  const preset = (name: string) => parseScenario(JSON.parse(readFileSync(`scenarios/${name}.json`, 'utf8')));

  it('the macro equations started at a fixed point stay there (the stationary state is built exactly)', () => {
    const s = preset('v3-up-down');
    const short = { ...s, run: { ...s.run, duration: 1 }, record: { ...s.record, binSize: 0.1, inputs: [], stp: false } };
    const [down, , up] = macroFixedPoints(s, { stp: 'mf2' });
    for (const [fp, tol] of [
      [up, 1e-10],
      [down, 1e-5],
    ] as const) {
      const r = simulateMeso(short, { level: 'macro', stp: 'mf2', initial: { rates: fp.rates } });
      // The Down state's neurons mostly sit in the lumped class, whose shared potential is the approximation (1e-5, as above).
      for (let b = 0; b < r.bins; b++) expect(Math.abs(r.activity.E[b] / fp.rates.E - 1)).toBeLessThan(tol);
    }
  });

  it('V3: Down and Up stable, the middle state unstable, as the slope test says; V4: unstable and oscillating; V5 E–I: stable', () => {
    const v3 = analyzeFixedPoints(preset('v3-up-down'), { stp: 'mf2' });
    expect(v3.map((f) => f.stability.stable)).toEqual([true, false, true]);
    for (const f of v3) expect(f.stability.stable).toBe(f.slope! < 1);
    // The middle state runs away fast (tens per second); the Up state relaxes slowly, with the ringing of regular firing.
    expect(v3[1].stability.growthRate).toBeGreaterThan(5);
    expect(v3[2].stability.growthRate).toBeLessThan(0);
    expect(v3[2].stability.frequency).not.toBeNull();
    const v4 = analyzeFixedPoints(preset('v4-population-spikes'), { stp: 'mf2' });
    expect(v4.length).toBe(1);
    expect(v4[0].stability.stable).toBe(false);
    expect(v4[0].stability.frequency).toBeGreaterThan(1);
    const ei = analyzeFixedPoints(preset('v5-static-ei'), { stp: 'mf2' });
    expect(ei.map((f) => f.stability.stable)).toEqual([true]);
  });
});
