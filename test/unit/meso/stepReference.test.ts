/**
 * The optimised meso step (docs/meso.md, "Cost") against its reference arithmetic: the same engine
 * with src/meso/hazardMath.ts replaced by Math.exp and Math.expm1, which is the step as it was
 * before the optimisation, bit for bit (the golden values below are that version's output). The
 * fast exponentials are within 1 ulp of those: the deterministic macro level stays within 1e-11
 * of the reference over 500 steps (rounding does not accumulate), and the meso level draws the
 * same spike counts.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Recording } from '../../../src/model/recording';
import { parseScenario } from '../../../src/model/validate';
import { glif } from './support';

type Simulate = typeof import('../../../src/meso/simulate').simulateMeso;

async function engine(reference: boolean): Promise<Simulate> {
  vi.resetModules();
  if (reference) vi.doMock('../../../src/meso/hazardMath', () => ({ fastExp: Math.exp, oneMinusExpNeg: (y: number) => -Math.expm1(-y) }));
  else vi.doUnmock('../../../src/meso/hazardMath');
  return (await import('../../../src/meso/simulate')).simulateMeso;
}

afterAll(() => {
  vi.doUnmock('../../../src/meso/hazardMath');
  vi.resetModules();
});

/** 0.25 s (500 steps) of a preset, one trial, activity in 10-ms bins, inputs and STP as the preset records them. */
function preset(name: string): Record<string, any> {
  const raw = JSON.parse(readFileSync(`scenarios/${name}.json`, 'utf8'));
  return { ...raw, run: { ...raw.run, duration: 0.25, trials: 1 }, record: { ...raw.record, binSize: 0.01 } };
}

/** The general path of the step: threshold adaptation, conductance input with NMDA block, delta kicks, facilitation. */
const general = {
  name: 'general-path',
  populations: {
    src: { model: 'poisson', N: 300, rate: { type: 'sinusoid', offset: 15, amplitude: 10, frequency: 4 } },
    g: glif(400, 11, { adaptation: [{ J: 1, tau: 0.1 }] }),
  },
  projections: [
    {
      name: 'nmda',
      from: 'src',
      to: 'g',
      connectivity: { type: 'fixed-indegree', C: 50 },
      weight: 0.05,
      delay: 0.001,
      filter: { type: 'exponential', tau: 0.005 },
      output: { type: 'conductance', E: 70, mgBlock: { Mg: 1 } },
    },
    { name: 'kicks', from: 'src', to: 'g', connectivity: { type: 'fixed-indegree', C: 40 }, weight: 0.3, delay: 0.001, filter: { type: 'delta' } },
    {
      name: 'rec',
      from: 'g',
      to: 'g',
      connectivity: { type: 'fixed-indegree', C: 40 },
      weight: 0.2,
      delay: 0.001,
      filter: { type: 'exponential', tau: 0.005 },
      stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.1 },
    },
  ],
  run: { dt: 0.0005, duration: 0.25, trials: 1, seed: 6 },
  record: { activity: true, binSize: 0.01, stp: true, inputs: [{ population: 'g', neurons: 1 }] },
};

const cases: [string, Record<string, any>][] = [
  ['V3 (scenarios/v3-up-down.json)', preset('v3-up-down')],
  ['V4 (scenarios/v4-population-spikes.json)', preset('v4-population-spikes')],
  ['V6 (scenarios/v6-scale.json)', preset('v6-scale')],
  ['adaptation, conductances, delta kicks, facilitation', general],
];

/** Every recorded array of a recording, by name. */
function arrays(r: Recording): Record<string, ArrayLike<number>> {
  const out: Record<string, ArrayLike<number>> = {};
  for (const [p, a] of Object.entries(r.activity)) out[`activity.${p}`] = a;
  for (const [p, i] of Object.entries(r.inputs)) out[`inputs.${p}`] = i.populationMean;
  for (const [p, vars] of Object.entries(r.stp)) for (const [v, a] of Object.entries(vars)) out[`stp.${p}.${v}`] = a;
  return out;
}

/** Largest |a − b| over the largest |b| of an array. */
function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale > 0 ? d / scale : d;
}

describe('the optimised meso step against its reference arithmetic (Math.exp, Math.expm1)', () => {
  for (const [name, raw] of cases) {
    it(`${name}: macro within 1e-11, meso the same spike counts and within 1e-11 otherwise, 500 steps`, async () => {
      const s = parseScenario(raw);
      const reference = await engine(true);
      const refMacro = arrays(reference(s, { level: 'macro' }));
      const refMeso = arrays(reference(s, { level: 'meso', stp: 'age' }));
      const fast = await engine(false);
      const macro = arrays(fast(s, { level: 'macro' }));
      const meso = arrays(fast(s, { level: 'meso', stp: 'age' }));
      for (const [k, a] of Object.entries(refMacro)) expect(relativeDifference(macro[k], a), `macro ${k}`).toBeLessThan(1e-11);
      // The two engines differ (in the last bits): the comparison is not of one engine with itself.
      expect(Object.entries(refMacro).some(([k, a]) => relativeDifference(macro[k], a) > 0)).toBe(true);
      for (const [k, a] of Object.entries(refMeso)) {
        if (k.startsWith('activity.')) expect(Array.from(meso[k]), `meso ${k}`).toEqual(Array.from(a));
        else expect(relativeDifference(meso[k], a), `meso ${k}`).toBeLessThan(1e-11);
      }
    });
  }

  it('the reference arithmetic reproduces the step as it was before the optimisation (golden values, macro and meso)', async () => {
    const reference = await engine(true);
    // The golden values were taken with MF2, the default then.
    const run = (name: string, level: 'macro' | 'meso') =>
      reference(parseScenario({ ...preset(name), record: { activity: true, binSize: 0.01 } }), { level, stp: 'mf2' }).activity;
    const bins = (a: ArrayLike<number>) => [a[0], a[4], a[12], a[24]];
    const close = (a: number[], b: number[]) => {
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-14 * Math.abs(b[i]));
    };
    close(bins(run('v3-up-down', 'macro').E), [0.018188064916667124, 0.48802059050561175, 1.2680222871216467, 1.5798312413647835]);
    const v4 = run('v4-population-spikes', 'macro');
    close(bins(v4.E), [0.1155106066129205, 0.778914277817238, 83.80055357913074, 5.408589258382198]);
    close(bins(v4.I), [0.10610327553841245, 0.4722452122064592, 80.47700514018334, 1.3744362707905373]);
    close(bins(run('v6-scale', 'macro').E), [0.02795773575155774, 3.07413907914926, 8.169287901342912, 7.410717678398346]);
    const counts = (a: ArrayLike<number>, per: number) => Array.from(a, (x) => Math.round(x * per));
    // Spikes per 10-ms bin: activity × N × 0.01 s.
    expect(counts(run('v6-scale', 'meso').E, 10)).toEqual([0, 2, 8, 13, 36, 45, 64, 57, 73, 84, 69, 67, 79, 71, 72, 86, 68, 56, 80, 68, 63, 65, 78, 79, 89]);
    expect(counts(run('v4-population-spikes', 'meso').I, 1)).toEqual([0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 1, 1, 0, 7, 96, 81, 3, 1, 0, 0, 1, 0, 1, 1, 0]);
  });
});
