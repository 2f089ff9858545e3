/**
 * src/analysis/agreement.ts: the per-trial quantities (Fano factor, s.d. over time) on arrays with
 * known answers, the combined comparison on two micro-cpu runs of one network (disjoint trial
 * ranges: the same connectivity, independent random numbers, as a Brian2 export of it would be)
 * and on a network changed on purpose, and the markdown rows; src/io/runFolder.ts reading back
 * what writeRecording wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGREEMENT_TABLE_HEADER, agreementRows, compareAgreement, fanoFactors, formatNumber, meanSe, temporalSds } from '../../../src/analysis/agreement';
import { writeRecording } from '../../../src/io/recordingFiles';
import { readRunFolders } from '../../../src/io/runFolder';
import { simulateMicroCpu } from '../../../src/micro/cpu/simulate';
import type { ScenarioInput } from '../../../src/model/scenario';
import { parseScenario } from '../../../src/model/validate';

/** A deterministic uniform generator (an LCG), the test's own. */
function uniforms(seed: number) {
  let s = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

/** A Poisson count of mean m by Knuth's product method (fine for small m). */
function poisson(u: () => number, m: number): number {
  const limit = Math.exp(-m);
  let k = 0;
  for (let p = u(); p > limit; p *= u()) k++;
  return k;
}

describe('per-trial quantities', () => {
  it('meanSe: the mean and its standard error over samples, NaN left out', () => {
    expect(meanSe([1, 2, 3, 4])).toEqual({ mean: 2.5, se: Math.sqrt(5 / 3 / 4), n: 4 });
    expect(meanSe([2, Number.NaN])).toEqual({ mean: 2, se: null, n: 1 });
    expect(meanSe([])).toMatchObject({ se: null, n: 0 });
  });

  it('fanoFactors: counts back from Hz, windows of whole bins, and a hand-worked trial', () => {
    // N = 10, bins of 5 ms: a count c is an activity of c/(10·0.005) = 20c Hz.
    const counts = [1, 0, 2, 1, 3, 3, 0, 0];
    const activity = counts.map((c) => 20 * c);
    // Windows of 2 bins: counts 1, 3, 6, 0; mean 2.5, variance (2.25 + 0.25 + 12.25 + 6.25)/3 = 7.
    expect(fanoFactors(activity, 1, 8, 10, 0.005, 2)[0]).toBeCloseTo(7 / 2.5, 12);
    expect(fanoFactors(new Float64Array(8), 1, 8, 10, 0.005, 2)[0]).toBeNaN();
    expect(() => fanoFactors(activity, 1, 8, 10, 0.005, 5)).toThrow(/two/);
  });

  it('fanoFactors: Poisson counts give a Fano factor of 1 within its standard error', () => {
    const u = uniforms(7);
    const trials = 200;
    const bins = 100;
    const activity = new Float64Array(trials * bins);
    for (let i = 0; i < activity.length; i++) activity[i] = poisson(u, 3) / (50 * 0.002);
    const f = meanSe(fanoFactors(activity, trials, bins, 50, 0.002, 1));
    expect(Math.abs(f.mean - 1)).toBeLessThan(4 * f.se!);
    // For Poisson counts the Fano factor over n windows has s.d. about √(2/(n − 1)).
    expect(f.se! * Math.sqrt(trials)).toBeCloseTo(Math.sqrt(2 / (bins - 1)), 1);
  });

  it('temporalSds: each trial s.d. over its bins, averaged over its series', () => {
    // Two trials of two series of three bins.
    const v = [1, 2, 3, 0, 0, 0, 5, 5, 5, 2, 4, 6];
    expect(temporalSds(v, 2, 2, 3)).toEqual([0.5, 1]);
    expect(() => temporalSds(v, 2, 2, 2)).toThrow(/values/);
  });
});

/** A small feedforward network with depressing synapses and every kind of recording agreement.ts reads. */
const small = (weight: number): ScenarioInput => ({
  name: 'agreement-unit',
  populations: {
    pre: { model: 'poisson', N: 50, rate: { type: 'steps', times: [0.1], values: [5, 30] } },
    post: { model: 'glif', N: 50, tauM: 0.02, mu: { type: 'constant', value: 10 }, uReset: 0, tRef: 0.002, c: 10, deltaU: 3, uTh: 15 },
  },
  projections: [
    {
      from: 'pre',
      to: 'post',
      connectivity: { type: 'fixed-indegree', C: 20 },
      weight,
      delay: 0.001,
      filter: { type: 'exponential', tau: 0.005 },
      stp: { model: 'depression', U: 0.5, tauD: 0.3 },
    },
  ],
  run: { dt: 2e-4, duration: 0.2, trials: 60, seed: 11 },
  record: { binSize: 0.01, inputs: [{ population: 'post', neurons: 2 }], stp: true },
});

describe('compareAgreement on micro-cpu runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesostp-agreement-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Trials [from, to) of a scenario of 60 trials, written as `mesostp run` writes them: the network is that of the seed, whatever the range. */
  async function runFolder(name: string, input: ScenarioInput, range: [number, number]): Promise<string> {
    const out = join(dir, name);
    await writeRecording(simulateMicroCpu(parseScenario(input), { trialRange: range }), out);
    return out;
  }

  it('two halves of one run agree, quantity by quantity, and the table says so', async () => {
    const scenario = parseScenario(small(2));
    const {
      summaries: [a, b],
      read,
    } = readRunFolders(await runFolder('a', small(2), [0, 30]), await runFolder('b', small(2), [30, 60]));
    const c = compareAgreement(scenario, a, b, read);
    const names = c.quantities.map((q) => q.name);
    expect(names).toEqual([
      'rate pre (Hz)',
      'rate post (Hz)',
      'input mean post (sampled neurons, mV)',
      'input mean post (population, mV)',
      'stp pre->post x',
      'Fano factor pre (10 ms windows)',
      'Fano factor post (10 ms windows)',
      'input s.d. over time post (population mean, mV)',
      'input s.d. over time post (sampled neurons, mV)',
    ]);
    expect(c.quantities.every((q) => q.se !== null && q.se > 0)).toBe(true);
    // Nine quantities at α = 0.01, 30 + 30 trials: Student's t with 58 degrees of freedom at 1 − 0.01/18.
    expect(c.dof).toBe(58);
    expect(c.zCritical).toBeCloseTo(3.431983874697985, 6);
    expect(c.verdict, c.quantities.map((q) => `${q.name}: z ${q.z}`).join('\n')).toBe('agree');
    expect(c.tracesVerdict).toBe('agree');
    expect(c.traces.map((t) => t.name)).toEqual(['activity.pre', 'activity.post', 'inputs.post.populationMean', 'stp.pre->post.x']);

    const rows = agreementRows('agreement-unit', 'held', c);
    expect(rows).toHaveLength(c.quantities.length + c.traces.length);
    const columns = AGREEMENT_TABLE_HEADER[0].split('|').length;
    for (const r of rows) expect(r.split(/(?<!\\)\|/).length).toBe(columns);
    expect(rows[0]).toMatch(/^\| agreement-unit \| held \| rate pre \(Hz\) \| [\d.]+ \| [\d.]+ \| −?[\d.e−]+ ± [\d.]+ \| −?[\d.]+ \| agree \|$/);
    expect(rows.at(-1)).toMatch(/time course stp\.pre->post\.x \(20 bins; largest \\\|z\\\| at bin \d+, bound [\d.]+\)/);
  });

  it('finds synapses 30 % stronger different: the rate, the input mean and its s.d. over time', async () => {
    const scenario = parseScenario(small(2));
    const {
      summaries: [a, b],
      read,
    } = readRunFolders(await runFolder('a2', small(2), [0, 30]), await runFolder('b2', small(2.6), [30, 60]));
    const c = compareAgreement(scenario, a, b, read);
    expect(c.verdict).toBe('differ');
    const verdict = (name: string) => c.quantities.find((q) => q.name === name)?.verdict;
    expect(verdict('rate post (Hz)')).toBe('differ');
    expect(verdict('input mean post (population, mV)')).toBe('differ');
    expect(verdict('input s.d. over time post (population mean, mV)')).toBe('differ');
    // The sources are the same: their rate and Fano factor agree.
    expect(verdict('rate pre (Hz)')).toBe('agree');
    expect(verdict('Fano factor pre (10 ms windows)')).toBe('agree');
    expect(agreementRows('x', 'held', c).join('\n')).toMatch(/\*\*differ\*\*/);
  });

  it('says why it cannot compute the per-trial quantities of a run that kept no trial arrays', async () => {
    const stats = { ...small(2), record: { ...small(2).record, trials: 'stats' as const } };
    const {
      summaries: [a, b],
      read,
    } = readRunFolders(await runFolder('s', stats, [0, 30]), await runFolder('t', small(2), [30, 60]));
    const c = compareAgreement(parseScenario(small(2)), a, b, read);
    expect(c.notes.join('\n')).toMatch(/keeps the arrays of 0 trial\(s\)/);
    expect(c.quantities.some((q) => q.name.startsWith('Fano'))).toBe(false);
  });
});

describe('formatNumber', () => {
  it('four significant digits, exponents outside [1e-3, 1e4), a real minus sign', () => {
    expect(formatNumber(12.3456)).toBe('12.35');
    expect(formatNumber(-0.0001234)).toBe('−1.234e−4');
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞');
  });
});
