/** Two runs of one scenario that draw the same random numbers, compared (not a test file). */
import { expect } from 'vitest';
import type { Recording } from '../../src/model/recording';

/**
 * The same run in two schedules: identical spike trains and activity, inputs and STP means
 * within the float32 tolerance the same-numbers test allows against the CPU engine
 * (microGpuSameNumbers.gpu.test.ts).
 */
export function expectSameRun(a: Recording, b: Recording, what: string) {
  for (const pop of Object.keys(b.spikes)) {
    expect(Array.from(a.spikes[pop].trial), `${what}, ${pop}: trials`).toEqual(Array.from(b.spikes[pop].trial));
    expect(Array.from(a.spikes[pop].neuron), `${what}, ${pop}: neurons`).toEqual(Array.from(b.spikes[pop].neuron));
    expect(Array.from(a.spikes[pop].time), `${what}, ${pop}: times`).toEqual(Array.from(b.spikes[pop].time));
    expect(Array.from(a.activity[pop]), `${what}, ${pop}: activity`).toEqual(Array.from(b.activity[pop]));
  }
  for (const pop of Object.keys(b.inputs)) {
    let scale = 0;
    for (const v of b.inputs[pop].sampled) scale = Math.max(scale, Math.abs(v));
    const tolerance = 2e-5 * Math.max(1, scale);
    let worst = 0;
    b.inputs[pop].sampled.forEach((v, k) => {
      worst = Math.max(worst, Math.abs(a.inputs[pop].sampled[k] - v));
    });
    expect(worst, `${what}, ${pop}: input`).toBeLessThan(tolerance);
    worst = 0;
    b.inputs[pop].populationMean.forEach((v, k) => {
      worst = Math.max(worst, Math.abs(a.inputs[pop].populationMean[k] - v));
    });
    expect(worst, `${what}, ${pop}: mean input`).toBeLessThan(tolerance);
  }
  for (const [proj, vars] of Object.entries(b.stp)) {
    for (const [v, series] of Object.entries(vars)) {
      let worst = 0;
      series.forEach((x, k) => {
        worst = Math.max(worst, Math.abs(a.stp[proj][v][k] - x));
      });
      expect(worst, `${what}, ${proj}.${v}`).toBeLessThan(2e-6);
    }
  }
}
