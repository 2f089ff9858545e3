/**
 * bench/v3UpState.ts's statistics of A_N inside Up periods, on activity built by hand: the Up
 * periods hold a known alternation ±δ about 28 Hz, so their s.d. is δ and the lag-1
 * autocorrelation is −1, and the transitions and short periods are left out as documented.
 */
import { describe, expect, it } from 'vitest';
import { upState } from '../../../bench/v3UpState';
import type { Recording } from '../../../src/model/recording';

/** One trial of `bins` 10-ms bins: Down at 2 Hz, with Up periods [start, end) alternating 28 ± δ. */
function recording(bins: number, ups: [number, number][], delta: number, x = 0.45): Recording {
  const a = new Float64Array(bins).fill(2);
  for (const [start, end] of ups) for (let k = start; k < end; k++) a[k] = 28 + (k % 2 === 0 ? delta : -delta);
  return {
    trials: 1,
    bins,
    binSize: 0.01,
    activity: { E: a },
    stp: { 'E->E': { x: new Float64Array(bins).fill(x) } },
    wallSeconds: 1,
  } as unknown as Recording;
}

describe('bench/v3UpState: A_N inside Up periods', () => {
  it('the s.d. and autocorrelation of the Up periods alone, without their edges or the short ones', () => {
    // Skipped: the first 1 s (100 bins). Up periods of 1 s and 2 s count; one of 0.2 s is too short.
    const u = upState(
      recording(
        1000,
        [
          [200, 300],
          [400, 420],
          [600, 800],
        ],
        3,
      ),
      'test',
      100,
    );
    expect(u.periods).toBe(2);
    // An odd number of alternating bins averages to 28 ± δ/n, and its s.d. about that mean is δ·√(1 − 1/n²).
    expect(u.activity[0]).toBeCloseTo(28, 1);
    expect(u.sdRaw[0]).toBeCloseTo(3, 3);
    expect(u.acf[0][0]).toBeCloseTo(-1, 2);
    expect(u.acf[1][0]).toBeCloseTo(1, 2);
    expect(u.xBar[0]).toBeCloseTo(0.45, 12);
    // The 50-ms boxcar averages the alternation down to δ/5.
    expect(u.sdSmooth[0]).toBeCloseTo(3 / 5, 1);
    // Complete periods only are dwell times (the 0.2-s one as well: it is complete); the 50-ms boxcar
    // moves each crossing of the thresholds by a bin or two.
    expect(u.upDwell[0]).toBeGreaterThan((1 + 0.2 + 2) / 3);
    expect(u.upDwell[0]).toBeLessThan((1 + 0.2 + 2) / 3 + 0.04);
  });
});
