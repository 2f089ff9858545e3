/** Time left of a run (the CLI's progress line and the app's progress bars). */
import { describe, expect, it } from 'vitest';
import { EtaEstimator, formatDuration } from '../../../src/io/timeLeft';

describe('time left', () => {
  it('is the remaining fraction at the recent rate, not at the rate since the start', () => {
    const eta = new EtaEstimator(10);
    expect(eta.update(0, 0)).toBeNull();
    // A slow start (20 s for the first 10 %), then 1 % per second.
    expect(eta.update(20, 0.1)).toBeCloseTo(180, 9);
    let left: number | null = null;
    for (let t = 21; t <= 60; t++) left = eta.update(t, 0.1 + (t - 20) * 0.01);
    expect(left).toBeCloseTo(50, 6);
    expect(eta.update(61, 1)).toBe(0);
  });

  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(NaN)).toBe('–');
  });
});
