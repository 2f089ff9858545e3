/**
 * The table and figures of a sweep (src/sweep/table.ts, src/sweep/figures.ts) from made-up
 * summaries: one row per point and population, input and STP projection; every quantity with its
 * standard error beside it, empty (CSV) or null (JSON) where there is none, never a made-up
 * number; numbers at full precision; a figure per quantity with ±1 s.e. error bars.
 */
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../src/analysis/summary';
import { figureRows } from '../../../src/analysis/figures/vegaLiteSpec';
import { sweepFigureSvg, sweepFigures } from '../../../src/sweep/figures';
import { parseVaries } from '../../../src/sweep/grid';
import { sweepTable, tableCsv, tableJson } from '../../../src/sweep/table';

function summary(rate: number, sem: number | null, stp: Record<string, Record<string, number>>): RunSummary {
  return {
    populations: { E: { rateHz: rate, rateHzSem: sem }, 'I,1': { rateHz: 2 * rate, rateHzSem: null } },
    inputs: { E: { mean: 0.1 + rate, sd: NaN, meanSem: null, populationMean: { mean: 1 / 3, sd: 0.25, meanSem: 1e-17 } } },
    stp,
    stpSem: Object.fromEntries(Object.entries(stp).map(([p, vars]) => [p, Object.fromEntries(Object.keys(vars).map((v) => [v, null]))])),
  } as unknown as RunSummary;
}

const varies = parseVaries(['projections[0].stp.U=0.2,0.4', 'run.seed=1,2']);
const points = [
  { index: 0, values: [0.2, 1], summary: summary(5, 0.5, { 'E->E': { x: 0.7 } }) },
  { index: 1, values: [0.2, 2], summary: summary(6, 0.25, { 'E->E': { x: 0.6 } }) },
  { index: 2, values: [0.4, 1], summary: summary(7, null, { 'E->E': { x: 0.5, u: 0.125 } }) },
  { index: 3, values: [0.4, 2], summary: summary(8, 0.125, { 'E->E': { x: 0.4 } }) },
];

describe('the sweep table', () => {
  const t = sweepTable(varies, points);

  it('has the point, the varied paths, kind and name, then every quantity with its _sem', () => {
    expect(t.columns).toEqual([
      'point',
      'projections[0].stp.U',
      'run.seed',
      'kind',
      'name',
      'rateHz',
      'rateHz_sem',
      'mean',
      'mean_sem',
      'sd',
      'sd_sem',
      'populationMean',
      'populationMean_sem',
      'populationSd',
      'populationSd_sem',
      'x',
      'x_sem',
      'u',
      'u_sem',
    ]);
    expect(t.rows).toHaveLength(4 * 4);
    expect(t.rows.map((r) => `${r.point} ${r.kind} ${r.name}`).slice(0, 4)).toEqual(['0 population E', '0 population I,1', '0 input E', '0 stp E->E']);
  });

  it('holds the summaries’ numbers, and null where there is no value or no standard error', () => {
    const row = (point: number, kind: string, name: string) => t.rows.find((r) => r.point === point && r.kind === kind && r.name === name)!;
    expect(row(1, 'population', 'E')).toMatchObject({ 'projections[0].stp.U': 0.2, 'run.seed': 2, rateHz: 6, rateHz_sem: 0.25, mean: null, x: null });
    expect(row(2, 'population', 'E').rateHz_sem).toBeNull();
    expect(row(0, 'population', 'I,1')).toMatchObject({ rateHz: 10, rateHz_sem: null });
    expect(row(3, 'input', 'E')).toMatchObject({
      rateHz: null,
      mean: 8.1,
      mean_sem: null,
      sd: null,
      sd_sem: null,
      populationMean: 1 / 3,
      populationMean_sem: 1e-17,
      populationSd: 0.25,
    });
    expect(row(2, 'stp', 'E->E')).toMatchObject({ x: 0.5, x_sem: null, u: 0.125, u_sem: null });
    expect(row(0, 'stp', 'E->E').u).toBeNull();
  });

  it('writes CSV at full precision, empty cells for null, quoting what needs it', () => {
    const lines = tableCsv(t).trimEnd().split('\n');
    expect(lines).toHaveLength(17);
    expect(lines[0]).toBe(t.columns.join(','));
    expect(lines[2]).toBe('0,0.2,1,population,"I,1",10,,,,,,,,,,,,,');
    expect(lines[3]).toBe(`0,0.2,1,input,E,,,5.1,,,,${String(1 / 3)},1e-17,0.25,,,,,`);
    expect(lines[3]).toContain('0.3333333333333333');
  });

  it('writes JSON: the sweep, the columns with their units, one object per row', () => {
    const j = JSON.parse(tableJson(t, { scenario: 's', level: 'meso', trials: 3, duration: 1, seed: 1 }, varies, ['s', undefined]));
    expect(j).toMatchObject({ format: 'mesostp-sweep-table/1', scenario: 's', level: 'meso', trials: 3, columns: t.columns });
    expect(j.vary).toEqual([
      { path: 'projections[0].stp.U', spacing: 'list', values: [0.2, 0.4], unit: 's' },
      { path: 'run.seed', spacing: 'list', values: [1, 2], unit: null },
    ]);
    expect(j.quantities.find((q: { column: string }) => q.column === 'rateHz')).toMatchObject({ kind: 'population', sem: 'rateHz_sem', unit: 'Hz' });
    expect(j.rows).toEqual(t.rows.map((r) => Object.fromEntries(t.columns.map((c) => [c, r[c]]))));
    expect(Object.keys(j.rows[0])).toEqual(t.columns);
  });
});

describe('the sweep figures', () => {
  const figures = sweepFigures(sweepTable(varies, points), varies, [undefined, undefined], 'test');

  it('one per quantity that has a value, against the first varied field, a line per name and value of the second', () => {
    expect(figures.map((f) => f.file)).toEqual([
      'population-rateHz.svg',
      'input-mean.svg',
      'input-populationMean.svg',
      'input-populationSd.svg',
      'stp-x.svg',
      'stp-u.svg',
    ]);
    const rate = figures[0].figure;
    expect(rate.series.map((l) => l.label)).toEqual(['E, seed=1', 'I,1, seed=1', 'E, seed=2', 'I,1, seed=2']);
    expect(rate.xLabel).toBe('projections[0].stp.U');
    expect(rate.yLabel).toBe('population rateHz (Hz)');
    expect(rate.title).toBe('test: firing rate');
    expect(rate.uncertainty).toBe('bars: ± 1 s.e.');
  });

  it('draws an error bar of ±1 s.e. where there is one, and none where there is not', () => {
    const bars = (f: (typeof figures)[number]) => figureRows(f.figure).filter((r) => r.low !== null && r.high !== null).length;
    // Rates: E has standard errors at 3 of its 4 points; I none.
    expect(bars(figures[0])).toBe(3);
    expect(bars(figures[2])).toBe(4);
    expect(bars(figures[4])).toBe(0);
    for (const r of figureRows(figures[0].figure).filter((r) => r.low !== null)) expect((r.high! - r.low!) / 2).toBeGreaterThan(0);
  });

  it('renders each figure to SVG in Node, with its legend', async () => {
    const svg = await sweepFigureSvg(figures[0]);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['E, seed=1', 'I,1, seed=2', 'projections[0].stp.U']) expect(svg).toContain(`>${label}</text>`);
  });
});
