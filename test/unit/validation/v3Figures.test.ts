/**
 * V3's per-N figures from known dwell times and activity: the survival fraction of the sorted
 * dwell times with bands of its binomial standard error √(S(1 − S)/n), and A_N(t) of trial 0
 * smoothed over V3_SEGMENTATION.smoothBins and offset per level, in the registry's colours.
 */
import { describe, expect, it } from 'vitest';
import { variant } from '../../../src/engines';
import type { SetResult } from '../../../src/validation/report';
import { V3_SEGMENTATION, type V3Level, type V3LevelData, V3B_CASE, v3ScalingFigures, v3SetFigures } from '../../../src/validation/v3';
import { expectPoints, expectReadableLogTicks, expectRegistryStyle, expectUnit, rowsOf, seriesOf } from '../../support/figures';

const VARIANT = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', mf2: 'meso-mf2', age: 'meso-age', mf1: 'meso-mf1' } as const;

// 10-s bins: the figure's first 40 s are 4 bins, so the fifth and sixth are left out.
const binSize = 10;
const level = (activity: number[], upDwell: number[], downDwell: number[]): V3LevelData => ({ binSize, activity, upDwell, downDwell });
const levels: Record<V3Level, V3LevelData> = {
  'micro-gpu': level([0, 10, 40, 20, 99, 99], [3, 1, 2], [0.5, 4, 2, 8]),
  'micro-cpu': level([1, 1, 1, 1], [], [1.5]),
  mf2: level([30, 0, 0, 30, 99], [2, 6], [1, 3, 5, 7, 9]),
  age: level([5, 5, 5, 5, 5], [0.2, 0.4, 0.8, 1.6, 3.2], [1]),
  mf1: level([7, 7, 7, 7], [1], [1]),
};
const figs = v3SetFigures(300, levels);

/** A centred moving average over `w` bins, averaging only the bins that exist at the ends. */
function movingAverage(a: number[], w: number): number[] {
  const half = Math.floor(w / 2);
  return a.map((_, k) => {
    const window = a.slice(Math.max(0, k - half), Math.min(a.length, k + half + 1));
    return window.reduce((s, v) => s + v, 0) / window.length;
  });
}

describe('V3 figures of one N', () => {
  it('are the activity and the Up and Down dwell-time distributions, named by N', () => {
    expect(Object.keys(figs).sort()).toEqual(['v3-n300-activity.svg', 'v3-n300-dwell-down.svg', 'v3-n300-dwell-up.svg']);
  });

  for (const state of ['up', 'down'] as const) {
    it(`${state} dwell times: the fraction of periods longer than each sorted dwell time, bands ± √(S(1 − S)/n)`, () => {
      const fig = figs[`v3-n300-dwell-${state}.svg`];
      for (const l of ['micro-gpu', 'micro-cpu', 'mf2', 'age'] as const) {
        const dwell = state === 'up' ? levels[l].upDwell : levels[l].downDwell;
        const n = dwell.length;
        const label = `${variant(VARIANT[l]).label} (${n})`;
        const sorted = [...dwell].sort((a, b) => a - b);
        const S = sorted.map((_, i) => (n - i) / n);
        expectPoints(
          fig,
          label,
          sorted,
          S,
          S.map((s) => Math.sqrt((s * (1 - s)) / n)),
        );
        expectRegistryStyle(fig, label, VARIANT[l]);
        expect(seriesOf(fig, label).spread?.style).toBe('band');
      }
      expect(fig.series.some((s) => s.label.startsWith(variant('meso-mf1').label))).toBe(false);
      expect(fig.logY).toBe(true);
      expectReadableLogTicks(fig);
      expectUnit(fig.xLabel, 's');
      expect(fig.uncertainty).toMatch(/binomial s\.e\./);
    });
  }

  it('activity: the first 40 s of trial 0, smoothed as the segmentation sees it, levels offset by 60 Hz', () => {
    const fig = figs['v3-n300-activity.svg'];
    const shown = ['micro-gpu', 'mf2', 'age'] as const;
    shown.forEach((l, i) => {
      const offset = 60 * (shown.length - 1 - i);
      const label = `${variant(VARIANT[l]).label} (+${offset} Hz)`;
      const first = (levels[l].activity as number[]).slice(0, 40 / binSize);
      expectPoints(
        fig,
        label,
        first.map((_, k) => (k + 0.5) * binSize),
        movingAverage(first, V3_SEGMENTATION.smoothBins).map((v) => v + offset),
      );
      expectRegistryStyle(fig, label, VARIANT[l]);
    });
    expect(fig.series).toHaveLength(shown.length);
    expectUnit(fig.xLabel, 's');
    expectUnit(fig.yLabel, 'Hz');
  });

  it("V3b's figures: its own file names and titles, its smoothing, and its bursts' 250-Hz offset between levels", () => {
    const b = v3SetFigures(300, levels, V3B_CASE);
    expect(Object.keys(b).sort()).toEqual(['v3b-n300-activity.svg', 'v3b-n300-dwell-down.svg', 'v3b-n300-dwell-up.svg']);
    for (const f of Object.values(b)) expect(f.title).toMatch(/^V3b, N = 300: /);
    const first = (levels['micro-gpu'].activity as number[]).slice(0, 40 / binSize);
    expectPoints(
      b['v3b-n300-activity.svg'],
      `${variant('micro-gpu').label} (+500 Hz)`,
      first.map((_, k) => (k + 0.5) * binSize),
      movingAverage(first, V3B_CASE.segmentation.smoothBins).map((v) => v + 500),
    );
    expect(b['v3b-n300-dwell-up.svg'].series).toEqual(figs['v3-n300-dwell-up.svg'].series);
  });

  it("a contrast set's figures carry its tag in file names and titles", () => {
    const b = v3SetFigures(400, levels, V3B_CASE, 'reset15');
    expect(Object.keys(b).sort()).toEqual(['v3b-n400-reset15-activity.svg', 'v3b-n400-reset15-dwell-down.svg', 'v3b-n400-reset15-dwell-up.svg']);
    for (const f of Object.values(b)) expect(f.title).toMatch(/^V3b, N = 400 \(reset15\): /);
  });
});

describe('V3 mean dwell time against N', () => {
  const Ns = [200, 300, 500];
  type Dwell = { up: number; upSe: number; down: number; downSe: number };
  const dwellAt = (i: number): Record<V3Level, Dwell> => ({
    'micro-gpu': { up: 0.5 * 3 ** i, upSe: 0.05 * (i + 1), down: 0.8 * 2 ** i, downSe: 0.1 },
    'micro-cpu': { up: 0.6, upSe: 0.2, down: 0.9, downSe: 0.3 },
    mf2: { up: 0.3 * 2 ** i, upSe: 0.02, down: 0.4 + i, downSe: 0.04 * (i + 1) },
    age: { up: 0.45 * 3 ** i, upSe: 0.06, down: 0.7 * 2 ** i, downSe: 0.07 },
    // Too few periods for a standard error: no bar at that point.
    mf1: { up: 0.2 + 0.1 * i, upSe: Number.NaN, down: 0.25, downSe: 0.01 },
  });
  const results: SetResult[] = Ns.map((N, i) => ({ set: `N = ${N}`, metrics: [], figures: {}, wallSeconds: {}, data: { N, dwell: dwellAt(i) } }));
  const fig = v3ScalingFigures(results)['v3-dwell-vs-n.svg'];

  it('every level shown and state: the mean dwell times, bars ± their standard error; Up filled, Down open and dashed', () => {
    for (const l of ['micro-gpu', 'mf2', 'age', 'mf1'] as const) {
      for (const state of ['up', 'down'] as const) {
        const label = `${variant(VARIANT[l]).label} ${state === 'up' ? 'Up' : 'Down'}`;
        const d = Ns.map((_, i) => dwellAt(i)[l]);
        const se = d.map((x) => (state === 'up' ? x.upSe : x.downSe));
        const y = d.map((x) => x[state]);
        expectBars(label, y, se);
        const s = seriesOf(fig, label);
        expect(s.color).toBe(variant(VARIANT[l]).color);
        expect(s.spread?.style).toBe('bars');
        expect(s.marker).toBe(state === 'up' ? 'filled' : 'open');
        expect(s.dashed).toBe(state === 'down');
        expect(s.joined).toBe(true);
      }
    }
    expect(fig.series.some((s) => s.label.startsWith(variant('micro-cpu').label))).toBe(false);
    expect(fig.logY).toBe(true);
    expectReadableLogTicks(fig);
    expectUnit(fig.yLabel, 's');
  });

  /** The points of a series at the N, with y ∓ se where se is known and no interval where it is not. */
  function expectBars(label: string, y: number[], se: number[]): void {
    const rows = rowsOf(fig, label);
    expect(rows).toHaveLength(Ns.length);
    rows.forEach((r, i) => {
      expect(r.x).toBe(Ns[i]);
      expect(r.y).toBe(y[i]);
      if (Number.isFinite(se[i])) {
        expect(r.low).toBeCloseTo(y[i] - se[i], 12);
        expect(r.high).toBeCloseTo(y[i] + se[i], 12);
      } else expect([r.low, r.high]).toEqual([null, null]);
    });
  }

  it('leaves contrast sets out', () => {
    const withContrast: SetResult[] = [
      ...results,
      { set: 'N = 400, contrast', metrics: [], figures: {}, wallSeconds: {}, data: { N: 400, dwell: dwellAt(5), contrast: true } },
    ];
    expect(v3ScalingFigures(withContrast)['v3-dwell-vs-n.svg']).toEqual(fig);
  });

  it("V3b's is the same figure under its own name", () => {
    const b = v3ScalingFigures(results, 'V3b');
    expect(Object.keys(b)).toEqual(['v3b-dwell-vs-n.svg']);
    expect(b['v3b-dwell-vs-n.svg'].title).toBe('V3b: mean dwell time against N (J·N fixed)');
    expect(b['v3b-dwell-vs-n.svg'].series).toEqual(fig.series);
  });

  it('needs two N at least', () => {
    expect(v3ScalingFigures(results.slice(0, 1))).toEqual({});
  });
});
