/**
 * The validation reports' figures drawn across sets: each carries the numbers it was drawn from
 * with their standard errors, in the registry's colours, and writeReport renders every figure of
 * a report to SVG in Node, without a browser.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { figureFromJson, figureToJson } from '../../../src/analysis/figures/figureData';
import { figureRows } from '../../../src/analysis/figures/vegaLiteSpec';
import { variant } from '../../../src/engines';
import { type ReportSpec, type SetResult, writeReport } from '../../../src/validation/report';
import { rerenderFigures } from '../../../src/validation/rerenderFigures';
import { v3ScalingFigures } from '../../../src/validation/v3';
import { v6ScalingFigures } from '../../../src/validation/v6';

const dwell = (up: number, upSe: number) => ({ up, upSe, down: 2 * up, downSe: 2 * upSe });
const v3Set = (N: number, k: number): SetResult => ({
  set: `N=${N}`,
  metrics: [],
  figures: {},
  wallSeconds: {},
  data: {
    N,
    dwell: { 'micro-gpu': dwell(k, 0.1 * k), 'micro-cpu': dwell(k, 0.1), mf2: dwell(k / 2, 0.05 * k), age: dwell(0.9 * k, 0.1 * k), mf1: dwell(k / 3, 0.1) },
  },
});

describe('V3: mean dwell time against N', () => {
  const results = [v3Set(100, 0.5), v3Set(200, 1.5), v3Set(300, 4), v3Set(500, 12)];
  const fig = v3ScalingFigures(results)['v3-dwell-vs-n.svg'];

  it('every level and state: the mean dwell times with error bars of ± their standard error', () => {
    const microUp = fig.series.find((s) => s.label === `${variant('micro-gpu').label} Up`)!;
    expect(microUp.color).toBe(variant('micro-gpu').color);
    const rows = figureRows(fig).filter((r) => r.series === microUp.label);
    expect(rows.map((r) => [r.x, r.y])).toEqual([
      [100, 0.5],
      [200, 1.5],
      [300, 4],
      [500, 12],
    ]);
    rows.forEach((r) => {
      expect(r.high! - r.y).toBeCloseTo(0.1 * r.y, 12);
      expect(r.y - r.low!).toBeCloseTo(0.1 * r.y, 12);
    });
    expect(microUp.spread?.style).toBe('bars');
    expect(fig.logY).toBe(true);
  });
});

describe('V6: cost and accuracy against N', () => {
  const levels = ['micro-gpu', 'micro-cpu', 'meso', 'age', 'macro'] as const;
  const v6Set = (N: number, cost: number): SetResult => ({
    set: `N=${N}`,
    metrics: [],
    figures: {},
    wallSeconds: {},
    data: {
      N,
      cost: Object.fromEntries(levels.map((l, i) => [l, cost * (i + 1)])),
      rate: {
        'micro-gpu': { mean: 10, se: 0.1 },
        'micro-cpu': { mean: 10, se: 1 },
        meso: { mean: 10.5, se: 0.05 },
        age: { mean: 9.8, se: 0.05 },
        macro: { mean: 11, se: 0 },
      },
      psd: { meso: 0.1, age: 0.05 },
      psdSe: { meso: 0.01, age: 0.02 },
      rateDiff: { meso: 0.05, age: 0.02, macro: 0.1 },
    },
  });
  const figs = v6ScalingFigures([v6Set(200, 0.01), v6Set(1000, 0.05), v6Set(10000, 0.5)]);

  it('cost: one line per level, the numbers of the sets', () => {
    const rows = figureRows(figs['v6-cost-vs-n.svg']);
    const micro = rows.filter((r) => r.series === variant('micro-gpu').label);
    expect(micro.map((r) => [r.x, r.y])).toEqual([
      [200, 0.01],
      [1000, 0.05],
      [10000, 0.5],
    ]);
  });

  it("accuracy: the rate differences with the delta method's standard error", () => {
    const rows = figureRows(figs['v6-accuracy-vs-n.svg']).filter((r) => r.series === `${variant('meso-mf2').short} rate`);
    expect(rows.map((r) => r.y)).toEqual([0.05, 0.05, 0.05]);
    const se = 1.05 * Math.hypot(0.05 / 10.5, 0.1 / 10);
    for (const r of rows) expect(r.high! - r.y).toBeCloseTo(se, 12);
  });
});

describe('writeReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesostp-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every figure of the sets and the summary to SVG in Node', async () => {
    const spec: ReportSpec = {
      experiment: 'V3',
      title: 'test',
      intro: [],
      columns: [{ level: 'age', label: 'meso (age)' }],
      judged: 'age',
      summaryFigures: v3ScalingFigures,
    };
    const sets = [v3Set(100, 0.5), v3Set(200, 1.5)];
    sets[0].figures = {
      'v3-n100-dwell-up.svg': {
        title: 'Up dwell',
        xLabel: 't (s)',
        yLabel: 'P(dwell > t)',
        logY: true,
        series: [{ label: 'micro', color: '#000000', x: [0.1, 1, 2], y: [1, 0.5, 0.1] }],
      },
    };
    await writeReport(dir, spec, { command: 'test', adapter: 'none', date: 'today', sizes: {} }, sets);
    const files = readdirSync(join(dir, 'figures')).sort();
    expect(files).toEqual(['v3-dwell-vs-n.json', 'v3-dwell-vs-n.svg', 'v3-n100-dwell-up.json', 'v3-n100-dwell-up.svg']);
    for (const f of files.filter((f) => f.endsWith('.svg'))) expect(readFileSync(join(dir, 'figures', f), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('![v3-dwell-vs-n.svg](figures/v3-dwell-vs-n.svg)');
  });

  it('draws the figures again from the numbers beside them (mesostp validate --report), the same SVG', async () => {
    const svg = join(dir, 'figures', 'v3-dwell-vs-n.svg');
    const before = readFileSync(svg, 'utf8');
    writeFileSync(svg, 'stale');
    writeFileSync(join(dir, 'figures', 'old.svg'), '<svg/>');
    const r = await rerenderFigures(dir);
    expect(r.drawn.map((p) => p.slice(dir.length + 1))).toEqual(['figures/v3-dwell-vs-n.svg', 'figures/v3-n100-dwell-up.svg']);
    expect(r.withoutData.map((p) => p.slice(dir.length + 1))).toEqual(['figures/old.svg']);
    expect(readFileSync(svg, 'utf8')).toBe(before);
  });
});

describe('figure data (figures/NAME.json)', () => {
  it('round-trips a figure, NaN as null and back', () => {
    const fig = v3ScalingFigures([v3Set(100, 0.5), v3Set(200, 1.5)])['v3-dwell-vs-n.svg'];
    fig.series[0] = { ...fig.series[0], y: [Number.NaN, 1.5] };
    const back = figureFromJson(figureToJson(fig));
    expect(figureRows(back)).toEqual(figureRows(fig));
    expect(back.series.map((s) => s.label)).toEqual(fig.series.map((s) => s.label));
    expect(Number.isNaN(back.series[0].y[0])).toBe(true);
  });

  it('refuses a file that is not a figure, naming the field', () => {
    expect(() => figureFromJson(JSON.stringify({ format: 'mesostp-figure/1', title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 'a' }] }))).toThrow(
      /series\.0\.color/,
    );
  });
});
