/**
 * V5's figures from known PSDs and activity: the PSD of A_N between 1 and 250 Hz with bands of the
 * standard error over trials, and the first second of A_N(t) of trial 0, in the registry's colours.
 */
import { describe, expect, it } from 'vitest';
import type { Psd } from '../../../src/analysis/psd';
import { variant } from '../../../src/engines';
import { type V5Level, type V5LevelData, v5PopulationFigures } from '../../../src/validation/v5';
import { expectPoints, expectReadableLogTicks, expectRegistryStyle, expectUnit, seriesOf } from '../../support/figures';

const VARIANT = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', meso: 'meso-mf2', macro: 'macro' } as const;

// Frequencies outside 1–250 Hz are not drawn: the DC bin, 0.5 Hz and 300 Hz.
const F = [0, 0.5, 1, 100, 250, 300];
const SHOWN = [2, 3, 4];

/** A PSD of three trials given per trial, as welchPsd returns it. */
function psdOf(perTrial: number[][]): Psd {
  return {
    f: Float64Array.from(F),
    power: Float64Array.from(F, (_, k) => perTrial.reduce((s, row) => s + row[k], 0) / perTrial.length),
    perTrial: Float64Array.from(perTrial.flat()),
  };
}

/** The standard error of a mean from its samples, written out: s/√n with the (n − 1) variance. */
function standardErrorOf(samples: number[]): number {
  const n = samples.length;
  const m = samples.reduce((s, v) => s + v, 0) / n;
  return Math.sqrt(samples.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1) / n);
}

const binSize = 0.25;
const levels: Record<V5Level, V5LevelData> = {
  'micro-gpu': {
    trials: 3,
    binSize,
    activity: [1, 2, 3, 4, 5, 6],
    psd: psdOf([
      [9, 9, 4, 2, 1, 1],
      [9, 9, 6, 1, 0.5, 1],
      [9, 9, 5, 3, 0.25, 1],
    ]),
  },
  'micro-cpu': {
    trials: 3,
    binSize,
    activity: [0, 0, 0, 0],
    psd: psdOf([
      [1, 1, 8, 0.2, 0.02, 1],
      [1, 1, 4, 0.4, 0.03, 1],
      [1, 1, 6, 0.3, 0.01, 1],
    ]),
  },
  meso: {
    trials: 3,
    binSize,
    activity: [7, 7, 8, 8, 9],
    psd: psdOf([
      [2, 2, 3, 3, 3, 2],
      [2, 2, 3, 2, 3, 2],
      [2, 2, 3, 1, 3, 2],
    ]),
  },
  macro: { trials: 1, binSize, activity: [5, 5, 5, 5, 5, 5, 5] },
};
const figs = v5PopulationFigures('E–I', 'I', levels);

describe('V5 figures of one set and population', () => {
  it('are the PSD and the activity, named by set and population', () => {
    expect(Object.keys(figs).sort()).toEqual(['v5-ei-I-activity.svg', 'v5-ei-I-psd.svg']);
  });

  it('PSD: 1–250 Hz of micro and meso, bands ± the standard error over trials; macro has no fluctuations to show', () => {
    const fig = figs['v5-ei-I-psd.svg'];
    for (const l of ['micro-gpu', 'micro-cpu', 'meso'] as const) {
      const p = levels[l].psd as Psd;
      const trial = (t: number) => Array.from(p.perTrial.subarray(t * F.length, (t + 1) * F.length));
      const label = `${variant(VARIANT[l]).label} (${levels[l].trials})`;
      expectPoints(
        fig,
        label,
        SHOWN.map((k) => F[k]),
        SHOWN.map((k) => p.power[k]),
        SHOWN.map((k) => standardErrorOf([0, 1, 2].map((t) => trial(t)[k]))),
      );
      expectRegistryStyle(fig, label, VARIANT[l]);
      expect(seriesOf(fig, label).spread?.style).toBe('band');
    }
    expect(fig.series).toHaveLength(3);
    expect(fig.logY).toBe(true);
    expectReadableLogTicks(fig);
    expectUnit(fig.xLabel, 'Hz');
    expectUnit(fig.yLabel, 'Hz²/Hz');
  });

  it('activity: the first second of trial 0 of micro, meso and macro', () => {
    const fig = figs['v5-ei-I-activity.svg'];
    for (const l of ['micro-gpu', 'meso', 'macro'] as const) {
      const label = variant(VARIANT[l]).label;
      const first = (levels[l].activity as number[]).slice(0, 1 / binSize);
      expectPoints(
        fig,
        label,
        first.map((_, k) => (k + 0.5) * binSize),
        first,
      );
      expectRegistryStyle(fig, label, VARIANT[l]);
    }
    expectUnit(fig.xLabel, 's');
    expectUnit(fig.yLabel, 'Hz');
  });

  it('refuses to draw the PSD of a level without one', () => {
    expect(() => v5PopulationFigures('population', 'E', { ...levels, meso: { ...levels.meso, psd: undefined } })).toThrow(/no PSD of meso/);
  });
});
