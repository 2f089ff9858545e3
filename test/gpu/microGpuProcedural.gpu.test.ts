/**
 * Procedural connectivity: the GPU regenerates each spike's targets from Philox instead of
 * storing them. Its rows equal the TypeScript twin's, its graph has the statistics of the
 * explicit one, a network runs whose explicit arrays exceed the adapter's binding limit, and
 * what it computes equals an exact reconstruction from the recorded presynaptic spikes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { expectSameRun } from '../support/sameRun';
import { glif, poisson } from '../support/populations';
import { compileNetwork, EngineUnsupportedError } from '../../src/compile';
import { simulateMicroGpu } from '../../src/micro/gpu';
import { planGpu } from '../../src/micro/gpu/plan';
import { proceduralRow, proceduralRows, segmentLength } from '../../src/micro/gpu/procedural';
import { residentUnsupported } from '../../src/micro/gpu/resident';
import type { Scenario } from '../../src/model/scenario';
import { simulateMicroCpu } from '../../src/micro/cpu';
import { parseScenario } from '../../src/model/validate';
import { probe, scenario, singleSpikeSource } from '../unit/microCpu/support';

const dt = 5e-4;
const tauM = 0.02;

function planOf(s: Scenario) {
  return planGpu(compileNetwork(s, { engine: 'micro-gpu', proceduralWithoutCsr: true }), s, 1);
}

describe('procedural connectivity on the GPU', () => {
  // p = 0.05: rows of one segment of 256 and a short one; p = 0.002: segments of 4096 (segmentLength), two whole and a short one.
  for (const [p, nPost, segment] of [
    [0.05, 700, 256],
    [0.002, 10000, 4096],
  ])
    it(`regenerates the rows of the TypeScript twin (p = ${p}, segments of ${segment}): in-degrees from one synchronous volley, the same in every trial, binomial statistics`, async () => {
      const gpu = await testGpu();
      const nPre = 3000;
      const s = scenario({
        populations: { src: singleSpikeSource(2, dt, nPre), post: probe(nPost) },
        projections: [
          { from: 'src', to: 'post', connectivity: { type: 'fixed-probability', p }, weight: 1, delay: dt, filter: { type: 'delta' }, storage: 'procedural' },
        ],
        run: { dt, duration: 6 * dt, trials: 2, seed: 21 },
        record: { activity: true, inputs: [{ population: 'post', neurons: nPost }] },
      });
      const g = await simulateMicroGpu(s, { gpu });
      expect(g.engine.storage).toEqual({ 'src->post': expect.stringMatching(/^procedural/) });
      // Step 3 delivers the volley: the recorded input is τm·(in-degree)/dt.
      const inDegree = (b: number, i: number) => Math.round((g.inputs.post.sampled[(b * nPost + i) * 6 + 3] * dt) / tauM);
      const rows = proceduralRows(s.projections[0].connectivity, nPre, nPost, false)!;
      expect(rows.segment).toBe(segment);
      const twin = new Int32Array(nPost);
      for (let j = 0; j < nPre; j++) for (const i of proceduralRow(rows, j, 21, 0, 0)) twin[i]++;
      let differ = 0;
      let total = 0;
      const degrees: number[] = [];
      for (let i = 0; i < nPost; i++) {
        expect(inDegree(1, i)).toBe(inDegree(0, i));
        differ += Math.abs(inDegree(0, i) - twin[i]);
        total += twin[i];
        degrees.push(inDegree(0, i));
      }
      // float32 against float64 logarithms may move a gap across an integer in a rare draw, and the move shifts the
      // rest of its segment: a gap of mean 1/p with a relative error of a few 1e-7 crosses one with probability ~1e-6/p
      // (a wrong segment length or counter would move nearly every target).
      expect(differ).toBeLessThanOrEqual(total * Math.max(1e-4, 2e-6 / p));
      const mean = degrees.reduce((a, v) => a + v, 0) / nPost;
      const variance = degrees.reduce((a, v) => a + (v - mean) ** 2, 0) / (nPost - 1);
      const expected = nPre * p;
      const binomialVar = nPre * p * (1 - p);
      expect(Math.abs(mean - expected)).toBeLessThan(4 * Math.sqrt(binomialVar / nPost));
      // The sample variance of 700 (10 000) binomial in-degrees is within ±20 % of np(1 − p) (≈ 4 (15) s.e.).
      expect(variance / binomialVar).toBeGreaterThan(0.8);
      expect(variance / binomialVar).toBeLessThan(1.2);
    });

  it('segmentLength: 256 candidates while they expect 8 targets, doubled for sparser rows; all-to-all rows keep 256', () => {
    expect(segmentLength(0.05, false)).toBe(256);
    expect(segmentLength(8 / 256, false)).toBe(256);
    expect(segmentLength(0.03, false)).toBe(512);
    expect(segmentLength(0.002, false)).toBe(4096);
    expect(segmentLength(1e-4, false)).toBe(131072);
    expect(segmentLength(1e-12, false)).toBe(2 ** 24);
    expect(segmentLength(1, true)).toBe(256);
    for (const p of [0.3, 0.01, 3e-4, 1e-6]) {
      const length = segmentLength(p, false);
      expect(length * p).toBeGreaterThanOrEqual(8);
      if (length > 256) expect((length / 2) * p).toBeLessThan(8);
    }
  });

  it('connectivity.perTrial: every trial regenerates its own rows (the twin with the trial in the counter)', async () => {
    const gpu = await testGpu();
    const nPre = 2000;
    const nPost = 300;
    const s = scenario({
      populations: { src: singleSpikeSource(2, dt, nPre), post: probe(nPost) },
      projections: [
        {
          from: 'src',
          to: 'post',
          connectivity: { type: 'fixed-probability', p: 0.05, perTrial: true },
          weight: 1,
          delay: dt,
          filter: { type: 'delta' },
          storage: 'procedural',
        },
      ],
      run: { dt, duration: 6 * dt, trials: 3, seed: 5 },
      record: { activity: true, inputs: [{ population: 'post', neurons: nPost }] },
    });
    const g = await simulateMicroGpu(s, { gpu, maxTrialsPerBatch: 2 });
    const rows = proceduralRows(s.projections[0].connectivity, nPre, nPost, false)!;
    const degrees: number[][] = [];
    for (let b = 0; b < 3; b++) {
      const twin = new Int32Array(nPost);
      for (let j = 0; j < nPre; j++) for (const i of proceduralRow(rows, j, 5, 0, b)) twin[i]++;
      const got = Array.from({ length: nPost }, (_, i) => Math.round((g.inputs.post.sampled[(b * nPost + i) * 6 + 3] * dt) / tauM));
      let differ = 0;
      for (let i = 0; i < nPost; i++) differ += Math.abs(got[i] - twin[i]);
      expect(differ, `trial ${b}`).toBeLessThanOrEqual(2);
      degrees.push(got);
    }
    // Independent networks: the in-degrees of two trials are (almost) uncorrelated.
    let same = 0;
    for (let i = 0; i < nPost; i++) if (degrees[0][i] === degrees[1][i]) same++;
    expect(same).toBeLessThan(nPost / 4);
  });

  it('the twin excludes autapses and covers every pair of an all-to-all projection once', () => {
    const rec = proceduralRows({ type: 'fixed-probability', p: 0.3, autapses: false, perTrial: false }, 600, 600, true)!;
    for (let j = 0; j < 600; j += 37) expect(proceduralRow(rec, j, 3, 1, 0)).not.toContain(j);
    const all = proceduralRows({ type: 'all-to-all', autapses: false }, 600, 600, true)!;
    const row = proceduralRow(all, 17, 3, 1, 0);
    expect(row.length).toBe(599);
    expect(new Set(row).size).toBe(599);
    expect(row).not.toContain(17);
    expect(proceduralRows({ type: 'fixed-indegree', C: 5, autapses: false, perTrial: false }, 10, 10, false)).toBeNull();
  });

  it('runs an all-to-all network of 36 million synapses that explicit storage cannot bind; every target receives the same input', async () => {
    const gpu = await testGpu();
    const N = 6000;
    const J = 0.01;
    const tauS = 0.005;
    const build = (storage: 'explicit' | 'procedural') =>
      scenario({
        populations: { src: { model: 'poisson', N, rate: { type: 'constant', value: 5 } }, post: probe(N) },
        projections: [
          {
            from: 'src',
            to: 'post',
            connectivity: { type: 'all-to-all' },
            weight: J,
            delay: 2 * dt,
            filter: { type: 'exponential', tau: tauS },
            stp: { model: 'depression', U: 0.2, tauD: 0.1 },
            storage,
          },
        ],
        run: { dt, duration: 80 * dt, trials: 2, seed: 8 },
        record: { activity: true, binSize: dt, inputs: [{ population: 'post', neurons: 3 }] },
      });
    const limit = gpu.summary.limits.maxStorageBufferBindingSize;
    expect(4 * N * N).toBeGreaterThan(limit);
    await expect(simulateMicroGpu(build('explicit'), { gpu })).rejects.toThrow(/36000000 synapses.*maxStorageBufferBindingSize/);
    const g = await simulateMicroGpu(build('procedural'), { gpu });
    expect(g.engine.synapses).toEqual({ 'src->post': N * N });
    // Every target receives every spike (the exact sum is checked without STP below).
    for (let b = 0; b < 2; b++) {
      for (let k = 0; k < 80; k++) {
        const a = g.inputs.post.sampled[(b * 3 + 0) * 80 + k];
        expect(g.inputs.post.sampled[(b * 3 + 1) * 80 + k]).toBe(a);
        expect(g.inputs.post.sampled[(b * 3 + 2) * 80 + k]).toBe(a);
        expect(Math.abs(g.inputs.post.populationMean[b * 80 + k] - a)).toBeLessThanOrEqual(1e-5 * Math.max(1, a));
      }
    }
  });

  it('without STP the input is exactly the filtered sum of the recorded presynaptic spike counts', async () => {
    const gpu = await testGpu();
    const N = 2000;
    const J = 0.02;
    const tauS = 0.005;
    const d = 2;
    const steps = 120;
    const s = scenario({
      populations: { src: { model: 'poisson', N, rate: { type: 'constant', value: 20 } }, post: probe(50) },
      projections: [
        {
          from: 'src',
          to: 'post',
          connectivity: { type: 'all-to-all' },
          weight: J,
          delay: d * dt,
          filter: { type: 'exponential', tau: tauS },
          storage: 'procedural',
        },
      ],
      run: { dt, duration: steps * dt, trials: 3, seed: 8 },
      record: { activity: true, binSize: dt, inputs: [{ population: 'post', neurons: 2 }] },
    });
    const g = await simulateMicroGpu(s, { gpu });
    const decay = Math.exp(-dt / tauS);
    for (let b = 0; b < 3; b++) {
      let filt = 0;
      for (let n = 0; n < steps; n++) {
        if (n >= d) filt += (J / tauS) * Math.round(g.activity.src[b * steps + n - d] * N * dt);
        const expected = tauM * filt;
        expect(Math.abs(g.inputs.post.sampled[b * 2 * steps + n] - expected)).toBeLessThanOrEqual(2e-6 * Math.max(1, expected));
        filt *= decay;
      }
    }
  });

  it('a recurrent E–I network with procedural fixed-probability connectivity matches micro-cpu with explicit connectivity statistically', async () => {
    const gpu = await testGpu();
    const raw = JSON.parse(readFileSync('scenarios/v5-static-ei.json', 'utf8'));
    const N: Record<string, number> = { E: raw.populations.E.N, I: raw.populations.I.N };
    raw.projections = raw.projections.map((p: any) => ({
      ...p,
      connectivity: { type: 'fixed-probability', p: p.connectivity.C / (N[p.from] - (p.from === p.to ? 1 : 0)) },
    }));
    raw.run = { ...raw.run, duration: 1, trials: 16 };
    raw.record = { activity: true, binSize: 0.01 };
    const cpu = simulateMicroCpu(parseScenario(raw));
    const gpuRun = await simulateMicroGpu(
      parseScenario({ ...raw, run: { ...raw.run, seed: raw.run.seed + 7 }, projections: raw.projections.map((p: any) => ({ ...p, storage: 'procedural' })) }),
      { gpu },
    );
    for (const pop of ['E', 'I']) {
      const stats = (a: ArrayLike<number>, T: number, bins: number) => {
        const v = Array.from({ length: T }, (_, t) => {
          let s = 0;
          for (let k = 10; k < bins; k++) s += a[t * bins + k];
          return s / (bins - 10);
        });
        const m = v.reduce((x, y) => x + y, 0) / T;
        return { m, se: Math.sqrt(v.reduce((x, y) => x + (y - m) ** 2, 0) / (T - 1) / T) };
      };
      const a = stats(cpu.activity[pop], cpu.trials, cpu.bins);
      const b = stats(gpuRun.activity[pop], gpuRun.trials, gpuRun.bins);
      expect(a.m).toBeGreaterThan(2);
      // Independent graphs add quenched variability; 4.5 combined s.e. plus 3 % for the graph realisation.
      expect(Math.abs(a.m - b.m), `${pop}: cpu ${a.m} ± ${a.se}, gpu ${b.m} ± ${b.se}`).toBeLessThan(4.5 * Math.hypot(a.se, b.se) + 0.03 * a.m);
    }
  });

  it('general, fused and resident schedules regenerate the same rows: identical spike trains, inputs and STP means', async () => {
    const gpu = await testGpu();
    const procedural = { storage: 'procedural' as const };
    // Rows of 299 and 260 candidates: two segments each, the autapse skip crossing the segment boundary.
    const families: { name: string; populations: Record<string, any>; projections: any[]; resident: boolean }[] = [
      {
        name: 'recurrent fixed probability without autapses, Tsodyks–Markram, exponential filter; fixed-probability input',
        populations: { src: poisson(200, 20), E: glif(300, 12) },
        projections: [
          { from: 'src', to: 'E', connectivity: { type: 'fixed-probability', p: 0.1 }, weight: 0.6, delay: 0.001, filter: { type: 'delta' }, ...procedural },
          {
            from: 'E',
            to: 'E',
            connectivity: { type: 'fixed-probability', p: 0.1, autapses: false },
            weight: 0.4,
            delay: 0.0015,
            filter: { type: 'exponential', tau: 0.005 },
            stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.1 },
            ...procedural,
          },
        ],
        resident: true,
      },
      {
        name: 'all-to-all with depression into a conductance, recurrent all-to-all inhibition without autapses, a network drawn per trial',
        populations: { src: poisson(100, 30), E: { ...glif(260, 12), restPotential: -65 } },
        projections: [
          {
            from: 'src',
            to: 'E',
            connectivity: { type: 'all-to-all' },
            weight: 0.004,
            delay: 0.001,
            filter: { type: 'exponential', tau: 0.004 },
            output: { type: 'conductance', E: 65 },
            stp: { model: 'depression', U: 0.3, tauD: 0.2 },
            ...procedural,
          },
          { from: 'E', to: 'E', connectivity: { type: 'all-to-all', autapses: false }, weight: -0.02, delay: 0.0005, filter: { type: 'delta' }, ...procedural },
          {
            from: 'src',
            to: 'E',
            connectivity: { type: 'fixed-probability', p: 0.05, perTrial: true },
            weight: 0.8,
            delay: 0.001,
            filter: { type: 'alpha', tau: 0.003 },
            ...procedural,
          },
        ],
        resident: true,
      },
      {
        name: 'a trial of 2100 neurons, beyond the resident kernel: event-scheme Poisson input through a procedural fixed-probability projection',
        populations: { src: poisson(2000, 5), E: glif(100, 12) },
        projections: [
          { from: 'src', to: 'E', connectivity: { type: 'fixed-probability', p: 0.05 }, weight: 0.8, delay: 0.0005, filter: { type: 'delta' }, ...procedural },
        ],
        resident: false,
      },
    ];
    const steps = 200;
    const chunkSteps = 80;
    for (const f of families) {
      const all = Object.keys(f.populations);
      const s = scenario({
        populations: f.populations,
        projections: f.projections.map((p, i) => ({ name: `p${i}`, ...p })),
        run: { dt, duration: steps * dt, trials: 3, seed: 13 },
        record: {
          activity: true,
          binSize: dt,
          stp: true,
          inputs: [{ population: 'E', neurons: 40 }],
          spikes: all.map((population) => ({ population, neurons: f.populations[population].N })),
        },
      });
      const general = await simulateMicroGpu(s, { gpu, chunkSteps, mode: 'general' });
      expect(general.engine.mode).toBe('general');
      // A comparison without recurrent spikes compares little: every family's network fires.
      expect(general.spikes.E.trial.length, f.name).toBeGreaterThan(100);
      const fused = await simulateMicroGpu(s, { gpu, chunkSteps, mode: 'fused' });
      expect(fused.engine.mode).toBe('fused');
      // Two dispatches per step, and the STP means' at every bin's end (bins of one step).
      expect(fused.engine.dispatchesPerStep).toBe(f.projections.some((p) => 'stp' in p) ? 3 : 2);
      expectSameRun(fused, general, f.name);
      expect(residentUnsupported(planOf(s)) === null, f.name).toBe(f.resident);
      if (f.resident) {
        const resident = await simulateMicroGpu(s, { gpu, chunkSteps, mode: 'resident' });
        expect(resident.engine.mode).toBe('resident');
        expect(resident.engine.dispatchesPerStep).toBeCloseTo(Math.ceil(steps / chunkSteps) / steps, 9);
        expectSameRun(resident, general, f.name);
      }
    }
  }, 300_000);

  it('refuses procedural fixed in-degree with the alternative named', async () => {
    const gpu = await testGpu();
    const s = scenario({
      populations: { src: { model: 'poisson', N: 50, rate: { type: 'constant', value: 5 } }, post: probe(5) },
      projections: [
        { from: 'src', to: 'post', connectivity: { type: 'fixed-indegree', C: 10 }, weight: 1, delay: dt, filter: { type: 'delta' }, storage: 'procedural' },
      ],
      run: { dt, duration: 10 * dt, trials: 1, seed: 1 },
      record: { activity: true },
    });
    await expect(simulateMicroGpu(s, { gpu })).rejects.toThrow(EngineUnsupportedError);
    await expect(simulateMicroGpu(s, { gpu })).rejects.toThrow(/fixed in-degree has no such form.*fixed-probability/);
  });
});
