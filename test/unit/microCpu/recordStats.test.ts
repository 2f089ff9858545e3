/**
 * record.trials 'stats' on the CPU engines: the same seed gives the same random numbers whether a
 * run keeps its trials' arrays or not, so the statistics of a 'stats' run split into batches
 * equal those computed from the arrays of an 'all' run to rounding, and the kept trials' arrays
 * and spikes are the 'all' run's own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateMeso } from '../../../src/meso';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import type { Recording } from '../../../src/model/recording';
import type { Scenario } from '../../../src/model/scenario';
import { parseScenario } from '../../../src/model/validate';
import { expectSameStats } from '../../support/stats';

/** The V2 preset, shortened, with the spikes of 20 presynaptic neurons recorded. */
function v2(record: 'all' | 'stats', keepTrials = 0): Scenario {
  const s = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
  s.run = { ...s.run, trials: 40, duration: 0.06, seed: 11 };
  s.record = { ...s.record, trials: record, keepTrials, spikes: [{ population: 'pre', neurons: 20 }] };
  return parseScenario(s);
}

/** The kept trials' arrays and spikes of `stats` are the first trials of `all`, bit for bit. */
function expectKeptTrials(stats: Recording, all: Recording, K: number): void {
  const rows = (a: ArrayLike<number>, perTrial: number) => Array.from(a).slice(0, K * perTrial * all.bins);
  expect(stats.keptTrials).toBe(K);
  for (const [pop, a] of Object.entries(all.activity)) expect(Array.from(stats.activity[pop]), pop).toEqual(rows(a, 1));
  for (const [pop, i] of Object.entries(all.inputs)) {
    expect(Array.from(stats.inputs[pop].sampled)).toEqual(rows(i.sampled, i.neurons.length));
    expect(Array.from(stats.inputs[pop].populationMean)).toEqual(rows(i.populationMean, 1));
  }
  for (const [proj, vars] of Object.entries(all.stp)) for (const [v, a] of Object.entries(vars)) expect(Array.from(stats.stp[proj][v])).toEqual(rows(a, 1));
  for (const [pop, s] of Object.entries(all.spikes)) {
    const n = Array.from(s.trial).filter((t) => t < K).length;
    expect(n, `${pop}: spikes in the kept trials`).toBeGreaterThan(0);
    expect(Array.from(stats.spikes[pop].trial)).toEqual(Array.from(s.trial).slice(0, n));
    expect(Array.from(stats.spikes[pop].time)).toEqual(Array.from(s.time).slice(0, n));
  }
}

describe("record.trials 'stats' on the CPU engines", () => {
  it('micro-cpu in batches of 7 trials: the statistics of the arrays of an "all" run, and its first 5 trials', () => {
    const all = simulateMicroCpu(v2('all'));
    const stats = simulateMicroCpu(v2('stats', 5), { maxTrialsPerBatch: 7 });
    expect(all.keptTrials).toBe(40);
    expect(stats.trials).toBe(40);
    expect(stats.engine.batches).toBe(6);
    expect(stats.engine.threads).toBe(1);
    expect(stats.engine.trialRange).toEqual([0, 40]);
    // The wall time includes the set-up of every batch (the first one's compiled the network).
    for (const r of [all, stats]) expect(r.wallSeconds).toBeGreaterThanOrEqual(r.engine.setupSeconds as number);
    expectSameStats(stats.stats, all.stats);
    expectKeptTrials(stats, all, 5);
    // A spike sample in a trial beyond the kept ones would show the batches were cut wrongly.
    expect(Math.max(...stats.spikes.pre.trial)).toBeLessThan(5);
  });

  it('micro-cpu keeps no arrays by default, and one batch gives the "all" run\'s statistics bit for bit', () => {
    const all = simulateMicroCpu(v2('all'));
    const stats = simulateMicroCpu(v2('stats'));
    expect(stats.keptTrials).toBe(0);
    expect(stats.activity.pre.length).toBe(0);
    expect(stats.spikes.pre.trial.length).toBe(0);
    expect(stats.stats).toEqual(all.stats);
  });

  it('meso in batches: the same statistics and kept trials as an "all" run', () => {
    const all = simulateMeso(v2('all'), { level: 'meso' });
    const stats = simulateMeso(v2('stats', 3), { level: 'meso', maxTrialsPerBatch: 9 });
    expect(stats.engine.batches).toBe(5);
    for (const r of [all, stats]) expect(r.wallSeconds).toBeGreaterThanOrEqual(r.engine.setupSeconds as number);
    expectSameStats(stats.stats, all.stats);
    const rows = (a: ArrayLike<number>) => Array.from(a).slice(0, 3 * all.bins);
    expect(Array.from(stats.activity.post_all)).toEqual(rows(all.activity.post_all));
    expect(Array.from(stats.stp['pre->post_c40'].x)).toEqual(rows(all.stp['pre->post_c40'].x));
  });

  it('a cancel between batches keeps the completed batches and says so', () => {
    const controller = new AbortController();
    let reports = 0;
    const r = simulateMicroCpu(v2('stats'), {
      maxTrialsPerBatch: 10,
      chunkSteps: 1000,
      signal: controller.signal,
      onProgress: () => {
        if (++reports === 2) controller.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    expect(r.trials).toBe(20);
    expect(r.completedSteps).toBe(r.steps);
    expect(r.stats.activity.pre.count).toBe(20);
  });
});
