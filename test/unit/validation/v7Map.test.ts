/**
 * V7's map from known values: the grid is the sweep of its --vary specs; the table and both
 * figures list the points in order of their ISI CV with each mean-field's signed difference and
 * standard error (percent in the figures), in the registry's colours, on an x axis from 0 to 1;
 * the input s.d. of a recording is the sample s.d. in time of the first recorded neuron.
 */
import { describe, expect, it } from 'vitest';
import type { Recording } from '../../../src/model/recording';
import { gridPoints, parseVaries } from '../../../src/sweep/grid';
import { lineFigureSpec } from '../../../src/analysis/figures/vegaLiteSpec';
import { activityVarianceRatio, trialInputSd, type V7Data, V7_QUICK_SETS, V7_SETS, V7_VARY_SPECS, v7MapFigures, v7MapTable } from '../../../src/validation/v7';
import { expectPoints, expectRegistryStyle, expectUnit } from '../../support/figures';

const d = (v: number, se: number) => ({ value: v, se });
function point(tRef: number, deltaU: number, mu: number, cv: number, shift: number, varianceRatio = 1.2): V7Data {
  return {
    set: { name: `p${cv}`, tRef, deltaU, mu },
    cv: { mean: cv, se: 0.01 },
    varianceRatio,
    rate: { mean: 20 + shift, se: 0.1 },
    inputSd: { mean: 2 + shift / 10, se: 0.02 },
    rateDiff: { mf1: d(-0.08 + shift / 100, 0.002), mf2: d(-0.07 + shift / 100, 0.003), age: d(0.001 * shift, 0.004) },
    inputSdDiff: { mf1: d(0.02, 0.01), mf2: d(0.12 - shift / 50, 0.011), age: d(0.09 - shift / 50, 0.012) },
  };
}
// Out of CV order on purpose; the last one bursts (not asynchronous): in the table, not in the figures.
const DATA = [point(0, 20, 12, 0.86, 3), point(0.004, 2, 12, 0.17, 0), point(0, 5, 9, 0.5, 1), point(0, 2, 9, 0.89, 2, 244)];
const SORTED = [DATA[1], DATA[2], DATA[0]];

describe('V7 grid', () => {
  it('is every combination of the --vary specs, named by its values, with the two quick points in it', () => {
    const grid = gridPoints(parseVaries(V7_VARY_SPECS));
    expect(V7_SETS.map((s) => [s.tRef, s.deltaU, s.mu])).toEqual(grid);
    expect(new Set(V7_SETS.map((s) => s.name)).size).toBe(grid.length);
    for (const q of V7_QUICK_SETS) expect(V7_SETS.some((s) => s.name === q)).toBe(true);
    expect(V7_SETS.find((s) => s.name === V7_QUICK_SETS[0])).toMatchObject({ tRef: 0.004, deltaU: 2, mu: 12 });
  });
});

describe('V7 map figures', () => {
  const figs = v7MapFigures(DATA);
  const LABELS = { mf1: 'meso, MF1', mf2: 'meso, MF2', age: 'meso, age-resolved STP' } as const;
  const IDS = { mf1: 'meso-mf1', mf2: 'meso-mf2', age: 'meso-age' } as const;

  it('draws each mean-field against the ISI CV, sorted, in percent with ± s.e. bars', () => {
    expect(Object.keys(figs)).toEqual(['v7-rate-vs-cv.svg', 'v7-input-sd-vs-cv.svg']);
    for (const [name, key] of [
      ['v7-rate-vs-cv.svg', 'rateDiff'],
      ['v7-input-sd-vs-cv.svg', 'inputSdDiff'],
    ] as const) {
      const fig = figs[name];
      for (const l of ['mf1', 'mf2', 'age'] as const) {
        expectPoints(
          fig,
          LABELS[l],
          SORTED.map((p) => p.cv.mean),
          SORTED.map((p) => 100 * p[key][l].value),
          SORTED.map((p) => 100 * p[key][l].se),
        );
        expectRegistryStyle(fig, LABELS[l], IDS[l]);
      }
      expectUnit(fig.yLabel, '%');
      expect(fig.uncertainty).toContain('asynchronous points only (1 switching or bursting point in the table)');
      expect(fig.xDomain).toEqual([0, 1]);
      const x = (lineFigureSpec(fig) as unknown as { layer: { encoding: { x?: { scale?: { domain?: number[] } } } }[] }).layer[0].encoding.x;
      expect(x?.scale?.domain).toEqual([0, 1]);
    }
  });

  it('draws nothing without asynchronous points', () => {
    expect(v7MapFigures([])).toEqual({});
    expect(v7MapFigures([DATA[3]])).toEqual({});
  });
});

describe('V7 map table', () => {
  it('has one row per point in CV order, with signed differences ± s.e. in percent', () => {
    const lines = v7MapTable(DATA);
    const rows = lines.filter((l) => /^\| [0-9]/.test(l));
    expect(rows.length).toBe(4);
    const header = lines.find((l) => l.startsWith('| tRef'))!;
    const separator = lines[lines.indexOf(header) + 1];
    expect(separator.split('|').length).toBe(header.split('|').length);
    expect(rows[0]).toBe(
      '| 4 | 2 | 12 | 0.17 ± 0.01 | 1.2 | 20.0 | −8.0 % ± 0.2 | −7.0 % ± 0.3 | +0.0 % ± 0.4 | 2.00 | +2.0 % ± 1.0 | +12.0 % ± 1.1 | +9.0 % ± 1.2 |',
    );
    expect(rows[2].startsWith('| 0 | 20 | 12 | 0.86 ± 0.01 | 1.2 | 23.0 | −5.0 % ± 0.2 | −4.0 % ± 0.3 | +0.3 % ± 0.4 |')).toBe(true);
    // The bursting point is in the table, its variance ratio in bold.
    expect(rows[3].startsWith('| 0 | 2 | 9 | 0.89 ± 0.01 | **244** |')).toBe(true);
  });
});

describe('activityVarianceRatio', () => {
  it('is 1 for a 10-ms-binned variance r/(N·10 ms), and grows with the variance', () => {
    // 1-ms bins, 10-ms blocks alternating r − d and r + d: the variance of the block means is d²·n/(n − 1) over n blocks.
    const N = 400;
    const rate = 20;
    const blocks = 40;
    const poissonVariance = rate / (N * 0.01);
    const recording = (d: number) => {
      const activity = Float64Array.from({ length: 10 * blocks }, (_, k) => rate + (Math.floor(k / 10) % 2 === 0 ? -d : d));
      return { trials: 1, bins: 10 * blocks, binSize: 0.001, activity: { E: activity } } as unknown as Recording;
    };
    const d1 = Math.sqrt((poissonVariance * (blocks - 1)) / blocks);
    expect(activityVarianceRatio(recording(d1), N, 0)).toBeCloseTo(1, 10);
    expect(activityVarianceRatio(recording(3 * d1), N, 0)).toBeCloseTo(9, 10);
    // Bins before `from` do not count: a burst in the first block changes nothing.
    const r = recording(d1);
    const before = activityVarianceRatio(r, N, 10);
    (r.activity.E as Float64Array).fill(500, 0, 10);
    expect(activityVarianceRatio(r, N, 10)).toBe(before);
    expect(activityVarianceRatio(r, N, 0)).toBeGreaterThan(100);
  });
});

describe('trialInputSd', () => {
  it('is the sample s.d. in time of the first recorded neuron from `from` on, per trial', () => {
    // Two trials, two recorded neurons, 5 bins: neuron 0 of trial 0 is 0, 2, 4, 6, 8; neuron 1 is ignored.
    const sampled = Float64Array.from([9, 9, 0, 2, 4, 0, 0, 50, 50, 50, 1, 1, 1, 3, 3, 7, 7, 7, 7, 7]);
    const r = {
      trials: 2,
      bins: 5,
      inputs: { E: { neurons: Int32Array.from([0, 1]), sampled, populationMean: new Float64Array(10) } },
    } as unknown as Recording;
    const sd = trialInputSd(r, 2);
    expect(sd[0]).toBeCloseTo(2, 12); // 0, 2, 4
    expect(sd[1]).toBeCloseTo(Math.sqrt(4 / 3), 12); // 1, 3, 3
  });
});
