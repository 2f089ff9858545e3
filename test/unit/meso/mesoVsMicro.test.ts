/** The meso engine against the CPU reference engine on shortened validation presets (V2, V5). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateMeso } from '../../../src/meso';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { parseScenario } from '../../../src/model/validate';
import type { Recording } from '../../../src/model/recording';
import { mean, meanSe } from '../microCpu/support';
import { neuron0, trialStats } from './support';

describe('meso against micro-cpu', () => {
  it('V5 shortened (static synapses): stationary rate within 5 % of micro-cpu', () => {
    const preset = JSON.parse(readFileSync('scenarios/v5-static-population.json', 'utf8'));
    preset.run = { ...preset.run, duration: 2, trials: 12 };
    const s = parseScenario(preset);
    const micro = simulateMicroCpu(s);
    const meso = simulateMeso(s, { level: 'meso' });
    const burn = Math.round(0.3 / s.record.binSize!);
    const perTrial = (r: Recording) => Array.from({ length: r.trials }, (_, t) => mean(r.activity.E, t * r.bins + burn, (t + 1) * r.bins));
    const a = meanSe(perTrial(micro));
    const b = meanSe(perTrial(meso));
    expect(a.mean).toBeGreaterThan(5);
    // The target of docs/validation/plan.md V5, and the statistical precision to check it with.
    expect(Math.hypot(a.se, b.se)).toBeLessThan(0.015 * a.mean);
    expect(Math.abs(b.mean / a.mean - 1)).toBeLessThan(0.05);
  });

  it('V2 shortened (depression): MF2 trial mean and s.d. of the input match micro-cpu; MF1 misses the s.d.', () => {
    const preset = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
    preset.run = { ...preset.run, trials: 300 };
    preset.record = { ...preset.record, binSize: 0.002, stp: false };
    const s = parseScenario(preset);
    const micro = simulateMicroCpu(s);
    const mf2 = simulateMeso(s, { level: 'meso', stp: 'mf2' });
    const mf1 = simulateMeso(s, { level: 'meso', stp: 'mf1' });
    const bins = micro.bins;
    // Windows: 5 Hz stationary, the onset of 40 Hz, 40 Hz depressed, back at 5 Hz (bins of 2 ms).
    const windows: [number, number][] = [
      [150, 250],
      [250, 300],
      [400, 500],
      [650, 750],
    ];
    for (const pop of ['post_all', 'post_c40']) {
      const a = neuron0(micro, pop);
      const b = neuron0(mf2, pop);
      const c = neuron0(mf1, pop);
      for (const [from, to] of windows) {
        const sa = trialStats(a, s.run.trials, bins, from, to);
        const sb = trialStats(b, s.run.trials, bins, from, to);
        const sc = trialStats(c, s.run.trials, bins, from, to);
        // 300 trials per engine: s.e. of a window's mean ≈ 1 %, of its s.d. ≈ 1.5 % (the input is correlated over τs = 10 ms).
        expect(Math.abs(sb.mean / sa.mean - 1), `${pop} mean [${from}, ${to})`).toBeLessThan(0.04);
        expect(Math.abs(sb.sd / sa.sd - 1), `${pop} sd [${from}, ${to})`).toBeLessThan(0.07);
        if (pop === 'post_all' && from === 250) expect(sc.sd / sa.sd, 'MF1 s.d. at the onset').toBeLessThan(0.8);
      }
    }
  }, 60_000);
});
