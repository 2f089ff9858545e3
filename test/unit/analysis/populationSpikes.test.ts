import { describe, expect, it } from 'vitest';
import { detectPopulationSpikes } from '../../../src/analysis/populationSpikes';

describe('population-spike detection', () => {
  it('finds each burst once, at its rise, with its smoothed peak; ignores sub-threshold bumps', () => {
    const bins = 1000;
    const a = new Float64Array(2 * bins).fill(2);
    // Trial 0: bursts of 20 bins at 150 Hz at 100 and 600; a 40 Hz bump at 300 (below 60 Hz).
    for (const s of [100, 600]) for (let k = s; k < s + 20; k++) a[k] = 150;
    for (let k = 300; k < 330; k++) a[k] = 40;
    // Trial 1: one burst with a dip to 30 Hz inside (above the 20 Hz hysteresis level): one event.
    for (let k = 200; k < 260; k++) a[bins + k] = k >= 225 && k < 235 ? 30 : 120;
    const r = detectPopulationSpikes(a, 2, bins, { binSeconds: 0.001 });
    expect(r.times[0].length).toBe(2);
    expect(r.times[0][0]).toBeCloseTo(0.1 - 0.001, 3);
    expect(r.amplitudes[0][0]).toBeCloseTo(150, 6);
    expect(r.times[1].length).toBe(1);
    expect(r.amplitudes[1][0]).toBeCloseTo(120, 6);
  });
});
