/**
 * Every preset runs at every mesoscopic level and STP closure, and its recording has the same
 * arrays, with the same shapes, as the CPU reference engine's: what the "any two levels
 * compare directly" needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateMeso } from '../../../src/meso';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import type { Recording, Samples } from '../../../src/model/recording';
import { parseScenario } from '../../../src/model/validate';

const presets = readdirSync('scenarios')
  .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
  .sort();

/** Name and shape of every array in a recording (activity, inputs, STP means). */
function shapes(r: Recording): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [p, a] of Object.entries(r.activity)) out[`activity.${p}`] = a.length;
  for (const [p, i] of Object.entries(r.inputs)) {
    out[`inputs.${p}.sampled`] = i.sampled.length;
    out[`inputs.${p}.populationMean`] = i.populationMean.length;
  }
  for (const [p, vars] of Object.entries(r.stp)) for (const [v, a] of Object.entries(vars)) out[`stp.${p}.${v}`] = a.length;
  return out;
}

function allFinite(r: Recording): boolean {
  const arrays: Samples[] = [
    ...Object.values(r.activity),
    ...Object.values(r.inputs).flatMap((i) => [i.sampled, i.populationMean]),
    ...Object.values(r.stp).flatMap((v) => Object.values(v)),
  ];
  return arrays.every((a) => a.every((x) => Number.isFinite(x)));
}

describe('every preset at the meso and macro levels', () => {
  expect(presets.length).toBeGreaterThanOrEqual(7);
  for (const file of presets) {
    it(`${file}: meso MF1, MF2, age and macro give the micro-cpu arrays, finite, activity ≥ 0`, () => {
      const raw = JSON.parse(readFileSync(`scenarios/${file}`, 'utf8'));
      raw.run = { ...raw.run, duration: 0.3, trials: 2 };
      const s = parseScenario(raw);
      const reference = shapes(simulateMicroCpu(s));
      const runs: [string, Recording][] = [
        ['meso mf1', simulateMeso(s, { level: 'meso', stp: 'mf1' })],
        ['meso mf2', simulateMeso(s, { level: 'meso', stp: 'mf2' })],
        ['meso age', simulateMeso(s, { level: 'meso', stp: 'age' })],
        ['macro', simulateMeso(s, { level: 'macro' })],
      ];
      for (const [name, r] of runs) {
        expect(shapes(r), name).toEqual(reference);
        expect(allFinite(r), name).toBe(true);
        for (const a of Object.values(r.activity)) expect(Math.min(...a), name).toBeGreaterThanOrEqual(0);
        expect(r.completedSteps, name).toBe(r.steps);
      }
    });
  }
});
