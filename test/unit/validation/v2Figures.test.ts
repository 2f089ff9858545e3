/**
 * V2's figures from per-level statistics of known values: μ(t) and σ(t) with bands of their
 * standard errors (σ/√n and σ/√(2(n − 1)), as v2.ts states them), the PSD with the standard error
 * over trials, in the registry's colours and with units on every axis.
 */
import { describe, expect, it } from 'vitest';
import type { Psd } from '../../../src/analysis/psd';
import { variant } from '../../../src/engines';
import { type V2Level, type V2LevelCurves, v2PopulationFigures } from '../../../src/validation/v2';
import { expectPoints, expectReadableLogTicks, expectRegistryStyle, expectUnit, seriesOf } from '../../support/figures';

const VARIANT = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', mf2: 'meso-mf2', mf1: 'meso-mf1' } as const;

/**
 * Per-trial PSDs of two trials at 0, 10, 20 and 30 Hz (the Nyquist frequency of 4-bin segments at
 * 60 Hz): the standard error of their mean is |a − b|/2.
 */
function twoTrialPsd(a: number[], b: number[]): Psd {
  return {
    f: Float64Array.from([0, 10, 20, 30]),
    power: Float64Array.from(a, (v, k) => (v + b[k]) / 2),
    perTrial: Float64Array.from([...a, ...b]),
  };
}

const binSize = 0.002;
const trials: Record<V2Level, number> = { 'micro-gpu': 64, 'micro-cpu': 9, mf2: 16, mf1: 1 };
const levels: V2LevelCurves[] = (['micro-gpu', 'micro-cpu', 'mf2', 'mf1'] as const).map((level, i) => ({
  level,
  trials: trials[level],
  binSize,
  mean: [1 + i, 2 + i, 4 + i],
  sd: [0.5, 1 + i, 2],
  psd: twoTrialPsd([9, 4 + i, 1, 0.5], [7, 2, 1 + i, 0.5]),
}));
const figs = v2PopulationFigures('depression', 'post_c40', levels);
const t = [0.5 * binSize, 1.5 * binSize, 2.5 * binSize];

describe('V2 figures of one set and population', () => {
  it('are μ(t), σ(t) and the PSD, named by set and population', () => {
    expect(Object.keys(figs)).toEqual(['v2-depression-post_c40-mean.svg', 'v2-depression-post_c40-sd.svg', 'v2-depression-post_c40-psd.svg']);
    for (const f of Object.values(figs)) expect(f.title).toContain('C = 40');
  });

  it('μ(t): the trial means at the bin centres, bands ± σ/√n', () => {
    const fig = figs['v2-depression-post_c40-mean.svg'];
    for (const c of levels) {
      const label = `${variant(VARIANT[c.level]).label} (${c.trials})`;
      const se = c.trials > 1 ? Array.from(c.sd, (s) => s / Math.sqrt(c.trials)) : undefined;
      expectPoints(fig, label, t, c.mean, se);
      expectRegistryStyle(fig, label, VARIANT[c.level]);
      if (c.trials > 1) expect(seriesOf(fig, label).spread?.style).toBe('band');
    }
    expectUnit(fig.xLabel, 's');
    expectUnit(fig.yLabel, 'mV');
    expect(fig.uncertainty).toMatch(/s\.e\./);
  });

  it('σ(t): the trial s.d., bands ± σ/√(2(n − 1)); a single trial has none', () => {
    const fig = figs['v2-depression-post_c40-sd.svg'];
    for (const c of levels) {
      const label = `${variant(VARIANT[c.level]).label} (${c.trials})`;
      const se = c.trials > 1 ? Array.from(c.sd, (s) => s / Math.sqrt(2 * (c.trials - 1))) : undefined;
      expectPoints(fig, label, t, c.sd, se);
    }
    expectUnit(fig.yLabel, 'mV');
  });

  it('PSD: every frequency between 0 Hz and the Nyquist frequency (bins counted once), bands ± the standard error over trials, log y with readable ticks', () => {
    const fig = figs['v2-depression-post_c40-psd.svg'];
    for (const c of levels) {
      const label = variant(VARIANT[c.level]).label;
      const trial = (t: number, k: number) => c.psd.perTrial[4 * t + k];
      expectPoints(
        fig,
        label,
        [10, 20],
        [1, 2].map((k) => c.psd.power[k]),
        [1, 2].map((k) => Math.abs(trial(0, k) - trial(1, k)) / 2),
      );
      expectRegistryStyle(fig, label, VARIANT[c.level]);
    }
    expect(fig.logY).toBe(true);
    expectReadableLogTicks(fig);
    expectUnit(fig.xLabel, 'Hz');
    expectUnit(fig.yLabel, 'mV²/Hz');
  });
});
