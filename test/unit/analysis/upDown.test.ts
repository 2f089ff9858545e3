/**
 * Up/Down segmentation on synthetic activity with known periods: dwell times exact to a bin,
 * the cut first and last periods not counted, brief dips inside Up (between the thresholds)
 * not counted as switches, the time-averaged activity per state, and the interval filter that
 * keeps the intervals inside one period of a state.
 */
import { describe, expect, it } from 'vitest';
import { boxcarSmooth, segmentUpDown, stateActivity, withinState } from '../../../src/analysis/upDown';

/** Bins of `up` (30 Hz) and `down` (2 Hz) periods given as lengths in bins, starting Down. */
function synthetic(lengths: number[]): number[] {
  const a: number[] = [];
  lengths.forEach((n, i) => {
    for (let k = 0; k < n; k++) a.push(i % 2 === 1 ? 30 : 2);
  });
  return a;
}

describe('segmentUpDown', () => {
  const o = { binSeconds: 0.01, smoothBins: 1, high: 12, low: 6 };

  it('finds the complete periods and their dwell times, per trial', () => {
    const t0 = synthetic([50, 20, 80, 30, 40]);
    const t1 = synthetic([10, 60, 70, 40, 40]).slice(0, 220);
    const s = segmentUpDown([...t0, ...t1], 2, 220, o);
    // Trial 0: Down 50 (cut), Up 20, Down 80, Up 30, Down 40 (cut). Trial 1: Down 10 (cut), Up 60, Down 70, Up 40, Down 40 (cut).
    expect(s.upDwell.map((d) => +d.toFixed(6))).toEqual([0.2, 0.3, 0.6, 0.4]);
    expect(s.downDwell.map((d) => +d.toFixed(6))).toEqual([0.8, 0.7]);
    expect(s.periods[0].map((p) => [p.up, p.start, p.end, p.complete])).toEqual([
      [false, 0, 50, false],
      [true, 50, 70, true],
      [false, 70, 150, true],
      [true, 150, 180, true],
      [false, 180, 220, false],
    ]);
  });

  it('hysteresis: a dip to 8 Hz inside Up (above low) and a bump to 10 Hz in Down (below high) are not switches', () => {
    const a = synthetic([30, 40, 30, 40, 30]);
    a[45] = 8;
    a[85] = 10;
    const s = segmentUpDown(a, 1, a.length, o);
    expect(s.upDwell.map((d) => +d.toFixed(6))).toEqual([0.4, 0.4]);
    expect(s.downDwell.map((d) => +d.toFixed(6))).toEqual([0.3]);
  });

  it('skips the transient and smooths before thresholding', () => {
    // A flickering start (0/40 Hz) that the transient removes.
    const a = synthetic([40, 40, 40, 40, 40]);
    for (let k = 0; k < 18; k++) a[k] = k % 2 === 0 ? 0 : 40;
    const s = segmentUpDown(a, 1, a.length, { ...o, smoothBins: 3, skipBins: 20 });
    expect(s.periods[0][0].start).toBe(20);
    // With a 3-bin boxcar the smoothed step 2 → 30 Hz crosses 12 Hz at the first Up bin, but the
    // step 30 → 2 Hz reaches 6 Hz only one bin after the last Up bin (its first value is 11.3 Hz).
    expect(s.upDwell.map((d) => +d.toFixed(6))).toEqual([0.41, 0.41]);
    expect(s.downDwell.map((d) => +d.toFixed(6))).toEqual([0.39]);
  });

  it('state activity: duration-weighted means over all periods, with a standard error', () => {
    const a = synthetic([50, 20, 80, 30, 40]);
    for (let k = 150; k < 180; k++) a[k] = 36;
    const s = segmentUpDown(a, 1, a.length, o);
    const up = stateActivity(s, true);
    expect(up.mean).toBeCloseTo((20 * 30 + 30 * 36) / 50, 12);
    expect(up.periods).toBe(2);
    expect(up.se).toBeGreaterThan(0);
    expect(stateActivity(s, false).mean).toBeCloseTo(2, 12);
  });

  it('refuses thresholds in the wrong order', () => {
    expect(() => segmentUpDown([1, 2], 1, 2, { ...o, high: 5, low: 6 })).toThrow(/high/);
  });
});

describe('withinState', () => {
  // Trial 0: Down [0, 50), Up [50, 70), Down [70, 150), Up [150, 180), Down [180, 220) in 10-ms bins; trial 1 all Down.
  const s = segmentUpDown([...synthetic([50, 20, 80, 30, 40]), ...synthetic([220])], 2, 220, { binSeconds: 0.01, smoothBins: 1, high: 12, low: 6 });
  const up = withinState(s, 0.01, true);
  const down = withinState(s, 0.01, false);

  it('keeps an interval whose two spikes fall in one period of the state, including the cut first and last periods', () => {
    expect(up(0, 0.5, 0.695)).toBe(true);
    expect(up(0, 1.5, 1.79)).toBe(true);
    expect(down(0, 0.0, 0.49)).toBe(true);
    expect(down(0, 0.7, 1.49)).toBe(true);
    expect(down(0, 1.8, 2.19)).toBe(true);
    expect(down(1, 0.1, 2.1)).toBe(true);
  });

  it('drops an interval that crosses a switch, lies in the other state, or spans two periods of the same state', () => {
    expect(up(0, 0.6, 0.71)).toBe(false);
    expect(down(0, 0.45, 0.55)).toBe(false);
    expect(up(0, 0.8, 0.9)).toBe(false);
    expect(down(0, 0.6, 0.65)).toBe(false);
    expect(up(0, 0.6, 1.6)).toBe(false);
    expect(down(0, 0.2, 1.0)).toBe(false);
    expect(up(1, 0.1, 0.2)).toBe(false);
  });

  it('finds the period by bisection among many: each of 500 alternating periods', () => {
    const lengths = Array.from({ length: 500 }, (_, i) => 10 + (i % 7));
    const many = segmentUpDown(
      synthetic(lengths),
      1,
      lengths.reduce((a, b) => a + b, 0),
      { binSeconds: 0.01, smoothBins: 1, high: 12, low: 6 },
    );
    const keepUp = withinState(many, 0.01, true);
    const keepDown = withinState(many, 0.01, false);
    for (const p of many.periods[0]) {
      const a = p.start * 0.01 + 0.001;
      const b = p.end * 0.01 - 0.001;
      expect(keepUp(0, a, b)).toBe(p.up);
      expect(keepDown(0, a, b)).toBe(!p.up);
      expect(keepUp(0, a, b + 0.002)).toBe(false);
    }
  });
});

describe('boxcarSmooth', () => {
  it('centred window, cut at the ends', () => {
    expect(Array.from(boxcarSmooth([3, 0, 0, 3, 0], 3))).toEqual([1.5, 1, 1, 1, 1.5]);
  });
});
