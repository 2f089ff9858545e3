/** A scenario with every kind of per-trial randomness, and the check that a trial range is the slice of the whole run. */
import { expect } from 'vitest';
import type { Recording } from '../../src/model/recording';
import { parseScenario } from '../../src/model/validate';

export const rangeScenario = parseScenario({
  name: 'trial-range',
  populations: {
    P: { model: 'poisson', N: 40, rate: { type: 'constant', value: 30 } },
    E: { model: 'glif', N: 30, tauM: 0.02, mu: { type: 'constant', value: 12 }, uReset: 0, tRef: 0.002, c: 10, deltaU: 2, uTh: 15 },
  },
  projections: [
    {
      from: 'P',
      to: 'E',
      connectivity: { type: 'fixed-indegree', C: 10 },
      weight: 0.8,
      delay: 0.001,
      filter: { type: 'exponential', tau: 0.005 },
      stp: { model: 'tsodyks-markram', U: 0.3, U0: 0.3, tauD: 0.2, tauF: 0 },
    },
    {
      from: 'E',
      to: 'E',
      connectivity: { type: 'fixed-probability', p: 0.2, perTrial: true },
      weight: 0.4,
      delay: 0.001,
      filter: { type: 'exponential', tau: 0.005 },
    },
  ],
  run: { dt: 0.0005, duration: 0.1, trials: 7, seed: 5 },
  record: { binSize: 0.005, stp: true, inputs: [{ population: 'E', neurons: 2 }], spikes: [{ population: 'E', neurons: 3 }] },
});

/** Rows [a, b) of a per-trial array of `rows` trials. */
function rowsOf(a: ArrayLike<number>, trials: number, from: number, to: number): number[] {
  const w = a.length / trials;
  return Array.from(a).slice(from * w, to * w);
}

/** Every per-trial array of the range equals the matching rows of the whole run. */
export function expectRangeOfWhole(whole: Recording, part: Recording, from: number, to: number): void {
  expect(part.trials).toBe(to - from);
  for (const [pop, a] of Object.entries(whole.activity)) expect(Array.from(part.activity[pop]), pop).toEqual(rowsOf(a, whole.trials, from, to));
  for (const [pop, r] of Object.entries(whole.inputs)) {
    expect(Array.from(part.inputs[pop].sampled)).toEqual(rowsOf(r.sampled, whole.trials, from, to));
    expect(Array.from(part.inputs[pop].populationMean)).toEqual(rowsOf(r.populationMean, whole.trials, from, to));
  }
  for (const [proj, vars] of Object.entries(whole.stp))
    for (const [v, a] of Object.entries(vars)) expect(Array.from(part.stp[proj][v]), `${proj} ${v}`).toEqual(rowsOf(a, whole.trials, from, to));
  for (const [pop, s] of Object.entries(whole.spikes)) {
    const keep = Array.from(s.trial, (t) => t >= from && t < to);
    // A recording numbers its spikes' trials from its own first trial.
    expect(Array.from(part.spikes[pop].trial, (t) => t + from)).toEqual(Array.from(s.trial).filter((_, k) => keep[k]));
    expect(Array.from(part.spikes[pop].time)).toEqual(Array.from(s.time).filter((_, k) => keep[k]));
  }
}
