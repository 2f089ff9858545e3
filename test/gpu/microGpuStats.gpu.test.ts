/**
 * record.trials 'stats' on the GPU: each batch's arrays are reduced on the GPU
 * (kernels/reduceTrials.wgsl, float32) and only the statistics and the kept trials are read
 * back. The same seed gives the same spikes whether or not the arrays are kept, so the
 * statistics must equal, to float32 rounding, those the host computes in float64 from an 'all'
 * run's arrays: in one batch of more than 512 trials (a workgroup per bin) and in several small
 * batches (an invocation per bin, merged by Chan's update), and the kept trials' arrays and
 * spikes must be the 'all' run's own.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { simulateMicroGpu } from '../../src/micro/gpu';
import { cutBins, type Recording } from '../../src/model/recording';
import { statsFromArrays } from '../../src/model/recordingStats';
import type { Scenario } from '../../src/model/scenario';
import { parseScenario } from '../../src/model/validate';
import { expectSameStats } from '../support/stats';

/** The V2 preset, shortened, with the spikes of 20 presynaptic neurons recorded. */
function v2(record: 'all' | 'stats', trials: number, keepTrials = 0): Scenario {
  const s = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
  s.run = { ...s.run, trials, duration: 0.03, seed: 5 };
  s.record = { ...s.record, trials: record, keepTrials, spikes: [{ population: 'pre', neurons: 20 }] };
  return parseScenario(s);
}

// float32 sums on the GPU against float64 on the host.
const FLOAT32 = { mean: 2e-6, m2: 2e-4 };

/** Each run compiles its pipelines (tens of seconds on a software adapter): the tests share them. */
let runs: Promise<{ all: Recording; one: Recording; batched: Recording; resident: Recording }> | null = null;
function shared() {
  runs ??= (async () => {
    const gpu = await testGpu();
    // The per-step schedule for the reference and the batching (their kept arrays are compared bit for
    // bit); the default (fused on a software adapter at 600 trials) for one batch.
    const all = await simulateMicroGpu(v2('all', 600), { gpu, mode: 'general' });
    const one = await simulateMicroGpu(v2('stats', 600), { gpu });
    const batched = await simulateMicroGpu(v2('stats', 600, 5), { gpu, maxTrialsPerBatch: 150, mode: 'general' });
    const resident = await simulateMicroGpu(v2('stats', 600, 5), { gpu, maxTrialsPerBatch: 150, mode: 'resident' });
    return { all, one, batched, resident };
  })();
  return runs;
}

describe("micro-gpu with record.trials 'stats'", () => {
  it('600 trials in one batch: the statistics of the "all" run\'s arrays, without reading the arrays back', async () => {
    const { all, one } = await shared();
    expect(one.engine.batches).toBe(1);
    expect(one.engine.mode).toBe(one.engine.software ? 'fused' : 'resident');
    expect(one.keptTrials).toBe(0);
    expect(one.activity.pre.length).toBe(0);
    expect(one.spikes.pre.trial.length).toBe(0);
    expectSameStats(one.stats, all.stats, FLOAT32);
    // The statistics buffers are in the batch's plan: 13 series × 2 × bins, and 11 quantities' averages per trial.
    const byLabel = (one.engine.gpuBufferBytes as { byLabel: Record<string, number> }).byLabel;
    expect(byLabel['micro-gpu trial statistics']).toBeGreaterThanOrEqual(4 * 2 * 13 * one.bins);
    expect(byLabel['micro-gpu per-trial averages']).toBeGreaterThanOrEqual(4 * 600 * 11);
  }, 300_000);

  it('batches of 150 trials keeping 5: the same statistics, and the first 5 trials bit for bit', async () => {
    const { all, batched: stats } = await shared();
    expect(stats.engine.batches).toBe(4);
    expectSameStats(stats.stats, all.stats, FLOAT32);
    const K = 5;
    expect(stats.keptTrials).toBe(K);
    const rows = (a: ArrayLike<number>, perTrial: number) => Array.from(a).slice(0, K * perTrial * all.bins);
    for (const [pop, a] of Object.entries(all.activity)) expect(Array.from(stats.activity[pop]), pop).toEqual(rows(a, 1));
    for (const [pop, i] of Object.entries(all.inputs)) {
      expect(Array.from(stats.inputs[pop].sampled)).toEqual(rows(i.sampled, 2));
      expect(Array.from(stats.inputs[pop].populationMean)).toEqual(rows(i.populationMean, 1));
    }
    for (const [proj, vars] of Object.entries(all.stp))
      for (const [v, a] of Object.entries(vars)) expect(Array.from(stats.stp[proj][v]), `${proj}.${v}`).toEqual(rows(a, 1));
    const n = Array.from(all.spikes.pre.trial).filter((t) => t < K).length;
    expect(n).toBeGreaterThan(0);
    expect(Array.from(stats.spikes.pre.trial)).toEqual(Array.from(all.spikes.pre.trial).slice(0, n));
    expect(Array.from(stats.spikes.pre.time)).toEqual(Array.from(all.spikes.pre.time).slice(0, n));
  }, 300_000);

  it('the resident schedule: the same statistics (its arrays are copied back before the reduction), the kept spike counts exactly', async () => {
    const { all, resident } = await shared();
    expect(all.engine.mode).toBe('general');
    expect(resident.engine.mode).toBe('resident');
    expect(resident.engine.batches).toBe(4);
    expectSameStats(resident.stats, all.stats, FLOAT32);
    for (const [pop, a] of Object.entries(all.activity)) expect(Array.from(resident.activity[pop]), pop).toEqual(Array.from(a).slice(0, 5 * all.bins));
  }, 300_000);

  it('a cancel reduces only the completed bins (rows of the array longer than the bins reduced)', async () => {
    const gpu = await testGpu();
    const { all } = await shared();
    const controller = new AbortController();
    const cut = await simulateMicroGpu(v2('stats', 600), { gpu, chunkSteps: 20, signal: controller.signal, onProgress: () => controller.abort() });
    expect(cut.cancelled).toBe(true);
    expect(cut.bins).toBe(10);
    const want = statsFromArrays({ ...all, bins: 10, ...cutArrays(all, 10) });
    expectSameStats(cut.stats, want, FLOAT32);
  }, 300_000);
});

/** The recording's arrays cut to their first `bins` bins. */
function cutArrays(r: Recording, bins: number): Pick<Recording, 'activity' | 'inputs' | 'stp'> {
  const c = <A extends Float64Array | Float32Array>(a: A, rows: number) => cutBins(a, rows, r.bins, bins);
  return {
    activity: Object.fromEntries(Object.entries(r.activity).map(([k, a]) => [k, c(a, r.trials)])),
    inputs: Object.fromEntries(
      Object.entries(r.inputs).map(([k, i]) => [
        k,
        { neurons: i.neurons, sampled: c(i.sampled, r.trials * i.neurons.length), populationMean: c(i.populationMean, r.trials) },
      ]),
    ),
    stp: Object.fromEntries(Object.entries(r.stp).map(([k, vars]) => [k, Object.fromEntries(Object.entries(vars).map(([v, a]) => [v, c(a, r.trials)]))])),
  };
}
