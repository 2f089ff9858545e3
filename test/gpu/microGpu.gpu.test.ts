/**
 * The GPU engine on its own terms: an exact oracle (stationary moments of a depressing synapse),
 * the fixed-point accumulation (precision and no overflow at the largest kicks), dispatches
 * beyond one grid dimension, trial batching (bit-identical to one batch), cancellation that
 * keeps the completed bins, and clear refusals.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { EngineUnsupportedError } from '../../src/compile';
import { fixedPointFor, FIXED_POINT_RANGE, simulateMicroGpu } from '../../src/micro/gpu';
import { simulateMicroCpu } from '../../src/micro/cpu';
import { mergeRecordings } from '../../src/model/mergeRecordings';
import type { Recording } from '../../src/model/recording';
import { depressionStationaryMoments } from '../../src/synapse/stpMoments';
import { probe, scenario, singleSpikeSource } from '../unit/microCpu/support';

const dt = 5e-4;

describe('fixed-point accumulation', () => {
  it('picks a power-of-two scale that keeps the largest possible slot sum within 2^30', () => {
    for (const [C, kick] of [
      [1, 1],
      [1000, 0.3],
      [100000, 2000],
      [1, 1e-9],
      [50, 1e12],
    ] as const) {
      const { scale, eventError } = fixedPointFor(C, kick);
      expect(Number.isInteger(Math.log2(scale))).toBe(true);
      expect(C * kick * scale).toBeLessThanOrEqual(FIXED_POINT_RANGE);
      // …and uses at least half of the range: the resolution is not wasted.
      expect(C * kick * scale).toBeGreaterThan(FIXED_POINT_RANGE / 2);
      expect(eventError).toBe(0.5 / scale);
    }
    expect(() => fixedPointFor(10, Infinity)).toThrow(/finite kick bound/);
  });

  it('sums 400 simultaneous events per target exactly within 400/(2·scale), at ordinary and at range-filling weights, excitatory and inhibitory', async () => {
    const gpu = await testGpu();
    for (const J of [0.37, -0.37, 2.5e5]) {
      const s = scenario({
        populations: { src: singleSpikeSource(3, dt, 400), post: probe(5) },
        projections: [{ from: 'src', to: 'post', connectivity: { type: 'all-to-all' }, weight: J, delay: dt, filter: { type: 'delta' } }],
        run: { dt, duration: 8 * dt, trials: 2, seed: 1 },
        record: { activity: true, inputs: [{ population: 'post', neurons: 5 }] },
      });
      const g = await simulateMicroGpu(s, { gpu });
      const fp = g.engine.fixedPoint as Record<string, { scale: number; maxInDegree: number }>;
      const { scale, maxInDegree } = fp['src->post'];
      expect(maxInDegree).toBe(400);
      // The delivery of step 4 is recorded as the input τm·(Σ J)/dt of that step.
      const tauM = 0.02;
      const I = g.inputs.post.sampled;
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < 5; i++) {
          const got = (I[(b * 5 + i) * 8 + 4] * dt) / tauM;
          const bound = 400 / (2 * scale) + 400 * Math.abs(J) * 2 ** -23;
          expect(Math.abs(got - 400 * J), `J = ${J}`).toBeLessThanOrEqual(bound);
          expect(I[(b * 5 + i) * 8 + 3]).toBe(0);
        }
      }
    }
  });
});

describe('micro-gpu: exact oracle', () => {
  it('stationary E[x], E[x²] of a depressing synapse under Poisson input (docs/equations.md §4) within 4 standard errors, 4096 samples', async () => {
    const gpu = await testGpu();
    const U = 0.5;
    const tauD = 0.2;
    const r = 20;
    const s = scenario({
      populations: { src: { model: 'poisson', N: 1, rate: { type: 'constant', value: r } }, post: probe(1) },
      projections: [
        {
          from: 'src',
          to: 'post',
          connectivity: { type: 'all-to-all' },
          weight: 1,
          delay: dt,
          filter: { type: 'exponential', tau: 0.005 },
          stp: { model: 'depression', U, tauD },
        },
      ],
      run: { dt, duration: 2, trials: 1024, seed: 5 },
      record: { activity: false, binSize: 0.4, stp: true },
    });
    const g = await simulateMicroGpu(s, { gpu });
    const x = g.stp['src->post'].x;
    // Bins 1…4 of each trial: 0.4 s apart, six correlation times of the relaxation (τD/(1 + U r τD) = 67 ms).
    const samples: number[] = [];
    for (let b = 0; b < 1024; b++) for (let k = 1; k < 5; k++) samples.push(x[b * 5 + k]);
    const n = samples.length;
    const m1 = samples.reduce((a, v) => a + v, 0) / n;
    const m2 = samples.reduce((a, v) => a + v * v, 0) / n;
    const sd1 = Math.sqrt(samples.reduce((a, v) => a + (v - m1) ** 2, 0) / (n - 1));
    const sd2 = Math.sqrt(samples.reduce((a, v) => a + (v * v - m2) ** 2, 0) / (n - 1));
    const exact = depressionStationaryMoments({ U, tauD }, r);
    expect(Math.abs(m1 - exact.Ex)).toBeLessThan((4 * sd1) / Math.sqrt(n));
    expect(Math.abs(m2 - exact.Ex2)).toBeLessThan((4 * sd2) / Math.sqrt(n));
    // The test has power: the standard errors are a few percent of the variance it checks.
    expect(sd1 / Math.sqrt(n)).toBeLessThan(0.05 * Math.sqrt(exact.varX));
  });
});

describe('micro-gpu: sizes and control', () => {
  it('a population of 4.2 million neurons (more than 65535 workgroups of 64) and 200 000 spikes per step (a 2-D indirect grid) match micro-cpu; so does a mean input over 600 neurons (workgroup reduction)', async () => {
    const gpu = await testGpu();
    const N = 65535 * 64 + 1000;
    const s = scenario({
      populations: { src: { model: 'poisson', N, rate: { type: 'constant', value: 100 } }, post: probe(600) },
      projections: [
        {
          from: 'src',
          to: 'post',
          connectivity: { type: 'fixed-indegree', C: 3000 },
          weight: 0.01,
          delay: dt,
          filter: { type: 'exponential', tau: 0.005 },
          stp: { model: 'depression', U: 0.5, tauD: 0.1 },
        },
      ],
      run: { dt, duration: 4 * dt, trials: 1, seed: 9 },
      record: { activity: true, inputs: [{ population: 'post', neurons: 2 }], stp: true },
    });
    const g = await simulateMicroGpu(s, { gpu });
    const c = simulateMicroCpu(s);
    expect(Array.from(g.activity.src)).toEqual(Array.from(c.activity.src));
    expect(c.activity.src[0] * N * dt).toBeGreaterThan(150000);
    for (let k = 0; k < c.inputs.post.sampled.length; k++) expect(g.inputs.post.sampled[k]).toBeCloseTo(c.inputs.post.sampled[k], 4);
    for (let k = 0; k < 4; k++) expect(g.inputs.post.populationMean[k]).toBeCloseTo(c.inputs.post.populationMean[k], 4);
    expect(c.inputs.post.populationMean[3]).toBeGreaterThan(1);
    for (let k = 0; k < 4; k++) expect(Math.abs(g.stp['src->post'].x[k] - c.stp['src->post'].x[k])).toBeLessThan(2e-6);
  });

  const batchScenario = () =>
    scenario({
      populations: {
        src: { model: 'poisson', N: 30, rate: { type: 'constant', value: 40 } },
        post: { model: 'glif', N: 10, tauM: 0.02, mu: { type: 'constant', value: 12 }, uReset: 0, tRef: 0.002, c: 10, deltaU: 2, uTh: 15 },
      },
      projections: [
        {
          from: 'src',
          to: 'post',
          connectivity: { type: 'fixed-indegree', C: 10 },
          weight: 1,
          delay: 0.001,
          filter: { type: 'exponential', tau: 0.005 },
          stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.4 },
        },
      ],
      run: { dt, duration: 0.1, trials: 7, seed: 4 },
      record: { activity: true, binSize: 0.005, inputs: [{ population: 'post', neurons: 3 }], stp: true, spikes: [{ population: 'post', neurons: 10 }] },
    });

  it('trials in batches (forced by the memory budget, and by maxTrialsPerBatch) give the one-batch numbers bit for bit', async () => {
    const gpu = await testGpu();
    const s = batchScenario();
    const one = await simulateMicroGpu(s, { gpu });
    expect(one.engine.batches).toBe(1);
    // About 1.6 kB per trial and 0.5 kB shared: a 4 kB budget holds two trials per batch.
    for (const opts of [{ maxTrialsPerBatch: 2 }, { memoryBudget: 4000 }]) {
      const many = await simulateMicroGpu(s, { gpu, ...opts });
      expect(many.engine.batches, JSON.stringify(opts)).toBe(4);
      expect(many.trials).toBe(7);
      expect(Array.from(many.activity.post)).toEqual(Array.from(one.activity.post));
      expect(Array.from(many.inputs.post.sampled)).toEqual(Array.from(one.inputs.post.sampled));
      expect(Array.from(many.stp['src->post'].u)).toEqual(Array.from(one.stp['src->post'].u));
      expect(Array.from(many.spikes.post.trial)).toEqual(Array.from(one.spikes.post.trial));
      expect(Array.from(many.spikes.post.time)).toEqual(Array.from(one.spikes.post.time));
    }
  });

  it('onBatch hands over each batch as it finishes; merged, the parts are the whole run', async () => {
    const gpu = await testGpu();
    const s = batchScenario();
    const parts: Recording[] = [];
    const whole = await simulateMicroGpu(s, { gpu, maxTrialsPerBatch: 3, onBatch: (r) => parts.push(r) });
    expect(parts.map((r) => r.engine.trialRange)).toEqual([
      [0, 3],
      [3, 6],
      [6, 7],
    ]);
    const merged = mergeRecordings(parts);
    expect(Array.from(merged.activity.post)).toEqual(Array.from(whole.activity.post));
    expect(Array.from(merged.inputs.post.sampled)).toEqual(Array.from(whole.inputs.post.sampled));
    expect(Array.from(merged.spikes.post.trial)).toEqual(Array.from(whole.spikes.post.trial));
    // The first two batches alone are the first six trials of the run.
    const firstTwo = mergeRecordings(parts.slice(0, 2));
    expect(Array.from(firstTwo.activity.post)).toEqual(Array.from(whole.activity.post.subarray(0, 6 * whole.bins)));
  });

  it('cancellation between chunks keeps every completed bin, equal to the full run', async () => {
    const gpu = await testGpu();
    const s = batchScenario();
    const full = await simulateMicroGpu(s, { gpu });
    const controller = new AbortController();
    const progress: number[] = [];
    const part = await simulateMicroGpu(s, {
      gpu,
      chunkSteps: 50,
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p.completedSteps);
        if (p.completedSteps >= 100) controller.abort();
      },
    });
    expect(part.cancelled).toBe(true);
    expect(part.completedSteps).toBe(100);
    expect(part.bins).toBe(10);
    expect(progress).toEqual([50, 100]);
    for (let b = 0; b < 7; b++) for (let k = 0; k < 10; k++) expect(part.activity.post[b * 10 + k]).toBe(full.activity.post[b * full.bins + k]);
  });

  it('refuses what it does not run, naming the projection and the way out', async () => {
    const gpu = await testGpu();
    const kineticProcedural = scenario({
      populations: { src: { model: 'poisson', N: 5, rate: { type: 'constant', value: 10 } }, post: probe(2) },
      projections: [
        {
          from: 'src',
          to: 'post',
          connectivity: { type: 'all-to-all' },
          weight: 0.1,
          delay: 1e-4,
          filter: { type: 'kinetic', receptor: 'AMPA' },
          output: { type: 'conductance', E: 65 },
          storage: 'procedural',
        },
      ],
      run: { dt: 1e-4, duration: 0.01, trials: 1, seed: 1 },
      record: { activity: true },
    });
    await expect(simulateMicroGpu(kineticProcedural, { gpu })).rejects.toThrow(EngineUnsupportedError);
    await expect(simulateMicroGpu(kineticProcedural, { gpu })).rejects.toThrow(
      /projections\[\d+\] \("src->post"\): a kinetic receptor .*"storage": "explicit"/,
    );
  });
});
