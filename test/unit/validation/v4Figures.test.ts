/**
 * V4's figures from known intervals and activity: the interval density in 25-ms bins over 0–0.75 s,
 * normalised by all the intervals, with bands of √count (a near-Poisson count), and A_N(t) of the
 * first 3 s of trial 0, in the registry's colours.
 */
import { describe, expect, it } from 'vitest';
import { variant } from '../../../src/engines';
import { type V4Level, type V4LevelData, v4Figures } from '../../../src/validation/v4';
import { expectPoints, expectRegistryStyle, expectUnit, seriesOf } from '../../support/figures';

const VARIANT = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', age: 'meso-age', mf2: 'meso-mf2', mf1: 'meso-mf1' } as const;

const WIDTH = 0.025;
const BINS = 30;
// 1-s bins: the first 3 s are 3 bins.
const level = (activity: number[], intervals: number[]): V4LevelData => ({ binSize: 1, activity, intervals });
const levels: Record<V4Level, V4LevelData> = {
  // 0.8 s lies beyond the last bin: not drawn, but one of the five intervals the density is normalised by.
  'micro-gpu': level([0, 80, 5, 99], [0.01, 0.02, 0.03, 0.31, 0.8]),
  'micro-cpu': level([1, 2, 3], []),
  age: level([4, 90, 2, 99, 99], [0.11, 0.12, 0.13, 0.14]),
  mf2: level([3, 3, 3, 3], [0.71]),
  mf1: level([0, 0, 0], [0.2]),
};
const figs = v4Figures(levels);

describe('V4 figures', () => {
  it('are the activity and the interval distribution', () => {
    expect(Object.keys(figs).sort()).toEqual(['v4-activity.svg', 'v4-intervals.svg']);
  });

  it('intervals: the density per 25-ms bin over every interval, bands ± √count of each bin', () => {
    const fig = figs['v4-intervals.svg'];
    for (const l of ['micro-gpu', 'micro-cpu', 'age', 'mf2'] as const) {
      const iv = levels[l].intervals;
      const label = `${variant(VARIANT[l]).label} (${iv.length})`;
      const counts = Array.from({ length: BINS }, (_, b) => iv.filter((v) => Math.floor(v / WIDTH) === b).length);
      const perInterval = 1 / (Math.max(1, iv.length) * WIDTH);
      expectPoints(
        fig,
        label,
        counts.map((_, b) => (b + 0.5) * WIDTH),
        counts.map((c) => c * perInterval),
        counts.map((c) => Math.sqrt(c) * perInterval),
      );
      expectRegistryStyle(fig, label, VARIANT[l]);
      expect(seriesOf(fig, label).spread?.style).toBe('band');
    }
    expectUnit(fig.xLabel, 's');
    expectUnit(fig.yLabel, '1/s');
    expect(fig.uncertainty).toMatch(/√count/);
  });

  it('activity: the first 3 s of trial 0 at the bin centres, unsmoothed', () => {
    const fig = figs['v4-activity.svg'];
    for (const l of ['micro-gpu', 'age', 'mf2'] as const) {
      const label = variant(VARIANT[l]).label;
      expectPoints(fig, label, [0.5, 1.5, 2.5], Array.from(levels[l].activity).slice(0, 3));
      expectRegistryStyle(fig, label, VARIANT[l]);
    }
    expect(fig.series).toHaveLength(3);
    expectUnit(fig.xLabel, 's');
    expectUnit(fig.yLabel, 'Hz');
  });
});
