/**
 * Statistical equivalence on every preset: micro-gpu and micro-cpu run the same shortened
 * preset with different seeds (independent samples), and every trial mean they report (the
 * rate of each population, the mean input of each recorded population, the mean of each STP
 * variable) agrees within 4.5 combined standard errors across trials. With ~40 comparisons a
 * correct engine fails one by chance with probability ~3e-4; the seeds are fixed, so the test is
 * deterministic.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { simulateMicroGpu } from '../../src/micro/gpu';
import { simulateMicroCpu } from '../../src/micro/cpu';
import type { Recording, Samples } from '../../src/model/recording';
import { parseScenario } from '../../src/model/validate';

const presets = readdirSync('scenarios')
  .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
  .sort();
const Z = 4.5;

/** Per-trial time averages of a [trials × bins] array, then their mean and standard error. */
function trialMeans(a: Samples, trials: number, bins: number): { mean: number; se: number } {
  const v: number[] = [];
  for (let t = 0; t < trials; t++) {
    let s = 0;
    for (let k = 0; k < bins; k++) s += a[t * bins + k];
    v.push(s / bins);
  }
  const m = v.reduce((x, y) => x + y, 0) / trials;
  const sd = Math.sqrt(v.reduce((x, y) => x + (y - m) ** 2, 0) / (trials - 1));
  return { mean: m, se: sd / Math.sqrt(trials) };
}

function quantities(r: Recording): Map<string, { mean: number; se: number }> {
  const out = new Map<string, { mean: number; se: number }>();
  for (const [p, a] of Object.entries(r.activity)) out.set(`rate ${p}`, trialMeans(a, r.trials, r.bins));
  for (const [p, i] of Object.entries(r.inputs)) out.set(`input ${p}`, trialMeans(i.populationMean, r.trials, r.bins));
  for (const [q, vars] of Object.entries(r.stp)) for (const [v, a] of Object.entries(vars)) out.set(`stp ${q}.${v}`, trialMeans(a, r.trials, r.bins));
  return out;
}

describe('micro-gpu against micro-cpu on every preset (independent seeds)', () => {
  expect(presets.length).toBeGreaterThanOrEqual(7);
  for (const file of presets) {
    it(`${file}: trial means of rates, inputs and STP variables within ${Z} standard errors`, async () => {
      const gpu = await testGpu();
      const raw = JSON.parse(readFileSync(`scenarios/${file}`, 'utf8'));
      raw.run = { ...raw.run, duration: Math.min(raw.run.duration, 1.5), trials: 24 };
      const cpu = simulateMicroCpu(parseScenario(raw));
      const g = await simulateMicroGpu(parseScenario({ ...raw, run: { ...raw.run, seed: raw.run.seed + 1 } }), { gpu });
      const a = quantities(cpu);
      const b = quantities(g);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [key, x] of a) {
        const y = b.get(key)!;
        const se = Math.hypot(x.se, y.se);
        const slack = Z * se + 1e-6 * Math.max(1, Math.abs(x.mean));
        expect(Math.abs(x.mean - y.mean), `${key}: cpu ${x.mean} ± ${x.se}, gpu ${y.mean} ± ${y.se}`).toBeLessThanOrEqual(slack);
      }
    });
  }
});
