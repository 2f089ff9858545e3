/**
 * The ISI CV of recorded spike trains against exact values: a clock has CV 0, intervals
 * alternating a and b have CV |a − b|/(a + b), spikes before `from` start no interval, each
 * trial pools its own neurons' intervals, and the s.e. is that of the trials' CVs.
 */
import { describe, expect, it } from 'vitest';
import { interspikeIntervalCv } from '../../../src/analysis/interspikeIntervals';
import type { SpikeRecording } from '../../../src/model/recording';

/** Spikes of (trial, neuron, times) trains, merged into time order within each trial as engines record them. */
function recording(trains: { trial: number; neuron: number; times: number[] }[]): SpikeRecording {
  const all = trains.flatMap((t) => t.times.map((time) => ({ trial: t.trial, neuron: t.neuron, time })));
  all.sort((a, b) => a.trial - b.trial || a.time - b.time);
  return {
    neurons: Int32Array.from(new Set(trains.map((t) => t.neuron))),
    trial: Int32Array.from(all, (s) => s.trial),
    neuron: Int32Array.from(all, (s) => s.neuron),
    time: Float64Array.from(all, (s) => s.time),
  };
}

const clock = (start: number, period: number, n: number) => Array.from({ length: n }, (_, k) => start + k * period);
/** Intervals a, b, a, b, … from `start`: 2m intervals. */
function alternating(start: number, a: number, b: number, m: number): number[] {
  const t = [start];
  for (let k = 0; k < 2 * m; k++) t.push(t[k] + (k % 2 === 0 ? a : b));
  return t;
}
/** The sample CV (n − 1 in the variance) of intervals a and b, m of each. */
const sampleCv = (a: number, b: number, m: number) => {
  const mean = (a + b) / 2;
  return Math.sqrt((2 * m * ((a - b) / 2) ** 2) / (2 * m - 1)) / mean;
};

describe('interspikeIntervalCv', () => {
  it('is 0 for neurons firing like clocks, whatever their periods and phases', () => {
    const r = recording([
      { trial: 0, neuron: 0, times: clock(0.013, 0.05, 40) },
      { trial: 0, neuron: 3, times: clock(0.001, 0.05, 40) },
      { trial: 1, neuron: 0, times: clock(0.02, 0.05, 30) },
    ]);
    const s = interspikeIntervalCv(r, 2);
    expect(s.trialCv[0]).toBeLessThan(1e-9);
    expect(s.trialCv[1]).toBeLessThan(1e-9);
    expect(s.intervals).toBe(39 + 39 + 29);
  });

  it('gives |a − b|/(a + b) (with the sample variance) for alternating intervals, per trial, with the s.e. of the trials', () => {
    const r = recording([
      { trial: 0, neuron: 0, times: alternating(0, 0.01, 0.03, 50) },
      { trial: 1, neuron: 1, times: alternating(0.005, 0.02, 0.04, 50) },
    ]);
    const s = interspikeIntervalCv(r, 2);
    const c0 = sampleCv(0.01, 0.03, 50);
    const c1 = sampleCv(0.02, 0.04, 50);
    expect(s.trialCv[0]).toBeCloseTo(c0, 12);
    expect(s.trialCv[1]).toBeCloseTo(c1, 12);
    expect(s.cv).toBeCloseTo((c0 + c1) / 2, 12);
    expect(s.se).toBeCloseTo(Math.abs(c0 - c1) / 2, 12);
  });

  it('starts no interval before `from`, and never joins two neurons or two trials', () => {
    // Before 1 s the neuron bursts (intervals 1 ms); after it, a clock of 40 ms.
    const burst = [...clock(0.5, 0.001, 20), ...clock(1, 0.04, 25)];
    const r = recording([
      { trial: 0, neuron: 0, times: burst },
      // A second neuron interleaved with the first: pooling across neurons would make short intervals.
      { trial: 0, neuron: 1, times: clock(1.01, 0.04, 25) },
    ]);
    const s = interspikeIntervalCv(r, 1, 1);
    expect(s.intervals).toBe(48);
    expect(s.trialCv[0]).toBeLessThan(1e-9);
    expect(interspikeIntervalCv(r, 1, 0).trialCv[0]).toBeGreaterThan(0.5);
  });

  it('is NaN where a trial has fewer than two intervals, and its s.e. NaN below two trials with a CV', () => {
    const r = recording([
      { trial: 0, neuron: 0, times: [0.1, 0.2] },
      { trial: 1, neuron: 0, times: alternating(0, 0.01, 0.03, 5) },
    ]);
    const s = interspikeIntervalCv(r, 3);
    expect(s.trialCv[0]).toBeNaN();
    expect(s.trialCv[2]).toBeNaN();
    expect(s.cv).toBeCloseTo(sampleCv(0.01, 0.03, 5), 12);
    expect(s.se).toBeNaN();
    expect(interspikeIntervalCv(recording([]), 2).cv).toBeNaN();
  });

  it('is near 1 for Poisson spike trains (1e4 intervals, within 4 s.e. of the CV estimate)', () => {
    // A fixed-seed linear congruential generator: exponential intervals of mean 50 ms.
    let state = 12345;
    const uniform = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state + 0.5) / 2 ** 32;
    };
    const times = [0];
    for (let k = 0; k < 10000; k++) times.push(times[k] - 0.05 * Math.log(uniform()));
    const s = interspikeIntervalCv(recording([{ trial: 0, neuron: 0, times }]), 1);
    // The CV estimate from n exponential intervals has s.e. ≈ √(1/n)·(CV of the variance estimate)/2 ≈ 1.1/√n.
    expect(Math.abs(s.trialCv[0] - 1)).toBeLessThan((4 * 1.12) / Math.sqrt(10000));
  });
});
