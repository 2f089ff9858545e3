/**
 * The quick V4 validation (population spikes) at test size: the age-resolved meso engine gets
 * the event rate and amplitude of micro-gpu within target + 3 s.e.; MF2's excess of population
 * spikes (its closure takes the resources of the neurons that fire to be the population mean) is
 * detected beyond 2 s.e.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { runV4Set } from '../../src/validation/v4';

describe('validation V4, quick', () => {
  it('meso (age) within target + 3 s.e.; MF2 misses the event rate beyond 2 s.e.; the report notes the interval KS tests', async () => {
    const gpu = await testGpu();
    const r = await runV4Set({ gpu, sizes: { gpuTrials: 3, cpuTrials: 2, mesoTrials: 6, duration: 8 } });
    for (const m of r.metrics.filter((x) => x.level === 'age' || x.level === 'micro-cpu')) {
      expect(m.value - 3 * m.se, `${m.quantity} ${m.level}: ${m.value} ± ${m.se}`).toBeLessThanOrEqual(m.target);
    }
    const mf2Rate = r.metrics.find((m) => m.level === 'mf2' && m.quantity === 'event rate')!;
    expect(mf2Rate.clearFail, `${mf2Rate.value} ± ${mf2Rate.se}`).toBe(true);
    expect(r.notes?.[0]).toMatch(/Kolmogorov–Smirnov: micro \(CPU\) D = /);
    expect(Object.keys(r.figures)).toEqual(['v4-activity.svg', 'v4-intervals.svg']);
  });
});
