/**
 * V6's figures from known values: the PSD of one N with bands of the standard error over trials;
 * against N, the cost of every level and the accuracy of meso and macro, the rate differences with
 * the delta method's standard error and the worst PSD band with that band's, on log axes with
 * readable ticks, in the registry's colours.
 */
import { describe, expect, it } from 'vitest';
import type { Psd } from '../../../src/analysis/psd';
import { variant } from '../../../src/engines';
import type { SetResult } from '../../../src/validation/report';
import { type V6Data, type V6Level, v6ScalingFigures, v6SetFigures, worstBand } from '../../../src/validation/v6';
import { expectPoints, expectReadableLogTicks, expectRegistryStyle, expectUnit, seriesOf } from '../../support/figures';

const VARIANT = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', meso: 'meso-mf2', age: 'meso-age', macro: 'macro' } as const;
const LEVELS = Object.keys(VARIANT) as V6Level[];

describe('V6 PSD of one N', () => {
  // Two trials: the standard error of their mean is |a − b|/2. 0.5 Hz and 300 Hz are not drawn.
  const F = [0.5, 2, 50, 250, 300];
  const psd = (a: number[], b: number[]): Psd => ({
    f: Float64Array.from(F),
    power: Float64Array.from(a, (v, k) => (v + b[k]) / 2),
    perTrial: Float64Array.from([...a, ...b]),
  });
  const levels = {
    'micro-gpu': { trials: 8, psd: psd([1, 4, 2, 0.1, 1], [1, 2, 1, 0.3, 1]) },
    meso: { trials: 2, psd: psd([1, 3, 1, 0.2, 1], [1, 3, 2, 0.2, 1]) },
    age: { trials: 64, psd: psd([1, 5, 0.5, 0.05, 1], [1, 1, 1.5, 0.15, 1]) },
  };
  const figs = v6SetFigures(3000, levels);

  it('1–250 Hz of micro-gpu and both meso levels, bands ± the standard error over trials', () => {
    expect(Object.keys(figs)).toEqual(['v6-n3000-psd.svg']);
    const fig = figs['v6-n3000-psd.svg'];
    for (const l of ['micro-gpu', 'meso', 'age'] as const) {
      const { trials, psd: p } = levels[l];
      const label = `${variant(VARIANT[l]).label} (${trials})`;
      const kept = [1, 2, 3];
      expectPoints(
        fig,
        label,
        kept.map((k) => F[k]),
        kept.map((k) => p.power[k]),
        kept.map((k) => Math.abs(p.perTrial[k] - p.perTrial[F.length + k]) / 2),
      );
      expectRegistryStyle(fig, label, VARIANT[l]);
      expect(seriesOf(fig, label).spread?.style).toBe('band');
    }
    expectReadableLogTicks(fig);
    expectUnit(fig.xLabel, 'Hz');
    expectUnit(fig.yLabel, 'Hz²/Hz');
  });
});

describe('worstBand', () => {
  it("the largest band difference with that band's standard error", () => {
    expect(
      worstBand([
        { value: 0.02, se: 0.01 },
        { value: 0.09, se: 0.03 },
        { value: 0.05, se: 0.02 },
      ]),
    ).toEqual({ value: 0.09, se: 0.03 });
  });

  it('keeps a band of unknown difference as the worst, with its own standard error', () => {
    const w = worstBand([
      { value: 0.02, se: 0.01 },
      { value: Number.NaN, se: Number.NaN },
      { value: 0.5, se: 0.1 },
    ]);
    expect(w.value).toBeNaN();
    expect(w.se).toBeNaN();
  });
});

describe('V6 against N', () => {
  const Ns = [200, 3000, 30000];
  const data = (N: number, i: number): V6Data => ({
    N,
    cost: Object.fromEntries(LEVELS.map((l, j) => [l, 1e-3 * (i + 1) * (j + 1)])) as V6Data['cost'],
    rate: {
      'micro-gpu': { mean: 10, se: 0.2 / (i + 1) },
      'micro-cpu': { mean: 9.9, se: Number.NaN },
      meso: { mean: 10.4, se: 0.1 },
      age: { mean: 9.7 + 0.1 * i, se: 0.05 },
      // The macro limit is one deterministic run: no standard error of its own.
      macro: { mean: 10.9, se: Number.NaN },
    },
    psd: { meso: 0.1 / (i + 1), age: 0.04 },
    psdSe: { meso: 0.01 * (i + 1), age: 0.02 },
    rateDiff: { meso: 0.04, age: 0.03 - 0.01 * i, macro: 0.09 },
  });
  const d = Ns.map(data);
  const results: SetResult[] = d.map((x) => ({ set: `N = ${x.N}`, metrics: [], figures: {}, wallSeconds: {}, data: x }));
  const figs = v6ScalingFigures(results);

  it('cost: one line per level, the wall time per trial-second of each N, on log axes', () => {
    const fig = figs['v6-cost-vs-n.svg'];
    for (const l of LEVELS) {
      const label = variant(VARIANT[l]).label;
      expectPoints(
        fig,
        label,
        Ns,
        d.map((x) => x.cost[l]),
      );
      expectRegistryStyle(fig, label, VARIANT[l]);
    }
    expect(fig.logX && fig.logY).toBe(true);
    expectReadableLogTicks(fig);
    expectUnit(fig.yLabel, 's/s');
  });

  it("accuracy: rate differences ± the delta method's standard error, the worst PSD band ± its own", () => {
    const fig = figs['v6-accuracy-vs-n.svg'];
    // |r/r₀ − 1| has the standard error (r/r₀)·√((s/r)² + (s₀/r₀)²); a level without its own s.e. counts as exact.
    const rateSe = (x: V6Data, l: 'meso' | 'age' | 'macro') => {
      const own = Number.isFinite(x.rate[l].se) ? x.rate[l].se / x.rate[l].mean : 0;
      return (x.rate[l].mean / x.rate['micro-gpu'].mean) * Math.sqrt(own ** 2 + (x.rate['micro-gpu'].se / x.rate['micro-gpu'].mean) ** 2);
    };
    for (const l of ['meso', 'age', 'macro'] as const) {
      const label = `${variant(VARIANT[l]).short} rate`;
      expectPoints(
        fig,
        label,
        Ns,
        d.map((x) => x.rateDiff[l]),
        d.map((x) => rateSe(x, l)),
      );
      expect(seriesOf(fig, label).color).toBe(variant(VARIANT[l]).color);
      expect(seriesOf(fig, label).spread?.style).toBe('bars');
    }
    for (const l of ['meso', 'age'] as const) {
      const label = `${variant(VARIANT[l]).short} PSD (worst band)`;
      expectPoints(
        fig,
        label,
        Ns,
        d.map((x) => x.psd[l]),
        d.map((x) => x.psdSe[l]),
      );
      expect(seriesOf(fig, label).color).toBe(variant(VARIANT[l]).color);
      expect(seriesOf(fig, label).dashed).toBe(true);
      expect(seriesOf(fig, label).spread?.style).toBe('bars');
    }
    expect(fig.logX && fig.logY).toBe(true);
    expectReadableLogTicks(fig);
    expect(fig.uncertainty).toMatch(/s\.e\. of each difference/);
    expect(fig.yLabel).toMatch(/\(fraction\)$/);
  });

  it('needs two N at least', () => {
    expect(v6ScalingFigures(results.slice(0, 1))).toEqual({});
  });
});
