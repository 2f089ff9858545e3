/**
 * Brian2 as a benchmark peer (bench/peers): the parameter file written from the scenario, the
 * accounting of a peer run and the targets against it; and each Brian2 script run at a small size
 * on the numpy target (no compilation), its statistics checked against exact expectations: the
 * Poisson counts against their binomial law, the mean input and the STP state against the
 * stationary values of src/synapse, and the escape-noise neuron's spike count against the renewal
 * theory of its own discrete-time hazard (docs/step-semantics.md step 3).
 */
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchCases, monteCarlo, recurrent, type BenchCase } from '../../../bench/cases';
import type { BenchResults, CaseResult, EngineResult } from '../../../bench/harness';
import type { Measurement } from '../../../bench/measure';
import {
  type Brian2Params,
  type Brian2Projection,
  brian2Params,
  parseBrian2Output,
  peerMeasurement,
  PeerRefusal,
  probeBrian2,
  runBrian2Script,
  type Brian2Output,
  type Brian2Probe,
} from '../../../bench/peers/brian2';
import { speedupOverPeers, targets } from '../../../bench/report';
import { runVariant } from '../../../src/engines';
import { parseScenario } from '../../../src/model/validate';
import { createDepressionState, depressionOnSpike, depressionRelax } from '../../../src/synapse/stpDepression';
import { exponentialPropagator } from '../../../src/synapse/filters';
import { tmStationaryMf2, uStationaryMoments } from '../../../src/synapse/stpMoments';
import { createTmState, tmOnSpike, tmRelax } from '../../../src/synapse/stpTsodyksMarkram';

const root = resolve(__dirname, '../../..');
const peerCase = (size: 'smoke' | 'quick' | 'full', script: string) => benchCases(size).find((c) => c.peer === script)!;
const asCase = (scenario: Record<string, any>, peer: BenchCase['peer']): BenchCase => ({
  workload: 'test',
  variant: 'test',
  axis: 'B',
  value: scenario.run.trials,
  scenario,
  engines: [],
  peer,
});

describe('Brian2 peer: parameter files from the scenario', () => {
  it('the Monte Carlo case: the issue workload, every default filled in, delays and the refractory period in steps', () => {
    const full = peerCase('full', 'feedforward_mc');
    expect(full).toMatchObject({ workload: 'feedforward', axis: 'B', value: 1024 });
    const p = brian2Params(full);
    expect(p).toEqual({
      script: 'feedforward_mc',
      scenario: 'bench-v2-type-mc',
      dt: 1e-4,
      steps: 10000,
      trials: 1024,
      seed: 20200501,
      binSteps: 10,
      sources: { name: 'pre', N: 1000, rateHz: 10 },
      neurons: { name: 'post', N: 1, tauM: 0.02, mu: 0, uReset: 0, V0: 0, uTh: 20, c: 10, deltaU: 5, refSteps: 40 },
      projections: [
        {
          name: 'pre->post',
          from: 'pre',
          connectivity: { type: 'all-to-all', autapses: true },
          weight: 0.05,
          delaySteps: 5,
          tauS: 0.005,
          kickScale: 200,
          inputScale: 0.02,
          stp: { model: 'tsodyks-markram', U: 0.5, U0: 0.5, tauD: 0.8, tauF: 0.05 },
        },
      ],
      record: { inputNeurons: 1, stp: false },
    });
    const smoke = brian2Params(peerCase('smoke', 'feedforward_mc'));
    expect([smoke.trials, smoke.steps]).toEqual([4, 100]);
  });

  it('the recurrent case: 500 neurons, in-degree 100 without autapses, depression as TM with U0 = 0 and τF = 0', () => {
    const full = peerCase('full', 'recurrent');
    expect(full).toMatchObject({ workload: 'recurrent', axis: 'N', value: 500 });
    const p = brian2Params(full);
    expect([p.dt, p.steps, p.trials, p.binSteps]).toEqual([1e-4, 300000, 1, 100]);
    expect(p.sources).toEqual({ name: 'ext', N: 200, rateHz: 10 });
    expect(p.neurons).toEqual({ name: 'E', N: 500, tauM: 0.02, mu: 12, uReset: 0, V0: 0, uTh: 15, c: 10, deltaU: 2, refSteps: 40 });
    expect(p.projections.map((q) => [q.name, q.from, q.connectivity, q.weight, q.delaySteps, q.kickScale, q.inputScale])).toEqual([
      ['ext->E', 'ext', { type: 'fixed-indegree', C: 50, autapses: false }, 0.2, 10, 200, 0.02],
      ['E->E', 'E', { type: 'fixed-indegree', C: 100, autapses: false }, 0.5, 10, 200, 0.02],
    ]);
    expect(p.projections[0].stp).toBeNull();
    expect(p.projections[1].stp).toEqual({ model: 'depression', U: 0.2, U0: 0, tauD: 0.2, tauF: 0 });
    expect(p.record).toEqual({ inputNeurons: 0, stp: false });
  });

  it('refuses what the scripts do not implement, naming it, instead of running another network', () => {
    const mc = monteCarlo(2, 0.01, { stp: true });
    const refusal = (s: Record<string, any>, peer: BenchCase['peer'] = 'feedforward_mc') => {
      try {
        brian2Params(asCase(s, peer));
      } catch (error) {
        expect(error).toBeInstanceOf(PeerRefusal);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal(mc)).toBe('accepted');
    const sine = structuredClone(mc);
    sine.populations.pre.rate = { type: 'sinusoid', offset: 10, amplitude: 5, frequency: 3 };
    expect(refusal(sine)).toMatch(/rate of "pre" is sinusoid; it implements a constant rate/);
    const alpha = structuredClone(mc);
    alpha.projections[0].filter = { type: 'alpha', tau: 0.005 };
    expect(refusal(alpha)).toMatch(/alpha filter/);
    const spread = structuredClone(mc);
    spread.projections[0].heterogeneity = { tauD: { distribution: 'lognormal', cv: 0.1 } };
    expect(refusal(spread)).toMatch(/heterogeneous/);
    expect(refusal(recurrent(500, 0.01, 'per-presynaptic STP'))).toMatch(/one projection "ext" → "E" and no other/);
    // The recurrent efficacy is read when the spike arrives: a delay beyond the refractory period is refused.
    const late = recurrent(500, 0.01, 'per-presynaptic STP');
    late.projections[1].delay = 0.01;
    expect(refusal(late, 'recurrent')).toMatch(/delay of "E->E" \(20 steps\) exceeds the refractory period \+ 1 step \(9\)/);
  });

  it('a peer run is accounted like an engine run: wall and set-up, and the work done from the scenario and its rates', () => {
    const c = peerCase('smoke', 'feedforward_mc');
    const out = parseBrian2Output(
      `WARNING something\n${JSON.stringify({
        target: 'cython',
        brian2: '2.5.1',
        threads: 1,
        trials: 4,
        steps: 100,
        dt: 1e-4,
        synapses: 4000,
        importSeconds: 2,
        wallSeconds: 5,
        setupSeconds: 4,
        runSeconds: 1,
        peakHostBytes: 1e8,
        populations: { pre: { spikesPerTrial: 10, rateHz: 10 }, post: { spikesPerTrial: 0, rateHz: 0 } },
        inputs: { post: { mean: 3.5, samples: 40, trialMeansLastHalf: [1, 2, 3, 4] } },
        stpEnd: { 'pre->post': { u: 0.6, x: 0.9 } },
      } satisfies Brian2Output)}\n`,
    );
    const m = peerMeasurement(c, 'brian2-cython', out);
    expect([m.wallSeconds, m.setupSeconds, m.peakHostBytes]).toEqual([5, 4, 1e8]);
    same(m.trialSeconds, 4 * 0.01);
    expect(m.trialSteps).toBe(400);
    expect(m.neuronSteps).toBe(400 * 1001);
    // 10 Hz × 1000 sources × 0.01 s × 4 trials, each spike reaching one target.
    same(m.synapticEvents, 400);
    expect(m.stats).toEqual({ rateHz: { pre: 10, post: 0 }, meanInput: 3.5, stpEnd: { 'pre->post': { u: 0.6, x: 0.9 } } });
    expect(m.peer).toEqual({ target: 'cython', brian2: '2.5.1', threads: 1, importSeconds: 2, runSeconds: 1 });
  });

  it('the targets against Brian2: the faster Brian2 target repeat by repeat, "not measured" with the reason when Brian2 did not run', () => {
    const run = (wall: number, setup: number) => ({ wallSeconds: wall, setupSeconds: setup }) as Measurement;
    const engine = (name: EngineResult['engine'], runs: Measurement[], refused?: string) =>
      ({ engine: name, runs, ...(refused ? { refused } : {}) }) as EngineResult;
    const mc: CaseResult = {
      workload: 'feedforward',
      variant: peerCase('full', 'feedforward_mc').variant,
      axis: 'B',
      value: 1024,
      duration: 1,
      setupOnly: false,
      peer: 'feedforward_mc',
      engines: [
        engine('micro-gpu', [run(11, 1), run(11, 1)]),
        engine('micro-cpu', [run(301, 1), run(211, 1)]),
        // Per repeat the faster Brian2: 60 s (cpp) in the first, 50 s (cython) in the second.
        engine('brian2-cython', [run(90, 10), run(60, 10)]),
        engine('brian2-cpp', [run(100, 40), run(140, 40)]),
      ],
      ratios: [{ faster: 'micro-gpu', slower: 'micro-cpu', ratio: { median: 25, min: 20, max: 30 } }],
    };
    const q = speedupOverPeers(mc, 'micro-gpu');
    expect(q).toMatchObject({ ratio: { min: 5, max: 6, median: 5.5 } });
    const rec: CaseResult = {
      ...mc,
      workload: 'recurrent',
      variant: peerCase('full', 'recurrent').variant,
      axis: 'N',
      value: 500,
      duration: 30,
      peer: 'recurrent',
      engines: [
        engine('micro-gpu', [run(40, 1)]),
        engine('micro-cpu', [run(11, 1)]),
        engine('brian2-cython', [run(31, 1)]),
        engine('brian2-cpp', [run(NaN, NaN)], 'no'),
      ],
    };
    const results = (cases: CaseResult[]): BenchResults => ({
      command: 'mesostp bench --full --peers',
      size: 'full',
      repeats: 2,
      date: '2026-12-01',
      machine: { cpu: 'x', cores: 2, memoryBytes: 1, node: 'v20', adapter: 'a', hostBandwidth: { bytesPerSecond: 1, bytes: 1 } },
      cases,
    });
    // The four targets against Brian2 and on the Monte Carlo come before the three dispatch targets.
    const t = targets(results([mc, rec])).slice(-7, -3);
    expect(t.map((x) => x.met)).toEqual([true, true, false, true]);
    expect(t[0].evidence).toMatch(/^5\.50× .* at B = 1024, 1 s; run times micro-gpu 10\.00 s, brian2-cython 65\.00 s, brian2-cpp 80\.00 s$/);
    expect(t[2].evidence).toMatch(/^0\.77× the faster Brian2 target/);
    const without = targets(
      results([
        { ...mc, engines: mc.engines.slice(0, 2) },
        { ...rec, value: 500, duration: 2, engines: [rec.engines[0], rec.engines[3]] },
      ]),
    ).slice(-7, -3);
    expect(without.map((x) => x.met)).toEqual([null, true, null, null]);
    expect(without[0].evidence).toBe('Brian2 did not run: add --peers');
    expect(without[2].evidence).toBe('Brian2 refused: no');
    expect(
      targets(results([]))
        .slice(-4)
        .every((x) => x.met === null),
    ).toBe(true);
  });
});

/** Mean and standard error of a sample. */
function meanSe(v: number[]): { mean: number; se: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1);
  return { mean, se: Math.sqrt(variance / v.length) };
}

/**
 * The interspike intervals (in steps) of an escape-noise LIF neuron with constant drive μ and no
 * input, as docs/step-semantics.md defines its step: spike in the first integrating step k ≥ 0
 * after a reset with P_k = 1 − exp(−dt(λ(V_k) + λ(V_{k+1}))/2), V_0 = u_r,
 * V_{k+1} = μ + (V_k − μ)e^{−dt/τm}; the interval is R + 1 + k.
 */
function isiPmf(n: { tauM: number; mu: number; uReset: number; uTh: number; c: number; deltaU: number; refSteps: number }, dt: number) {
  const g: number[] = [];
  const lambda = (v: number) => n.c * Math.exp((v - n.uTh) / n.deltaU);
  const decay = Math.exp(-dt / n.tauM);
  let v = n.uReset;
  let survive = 1;
  while (survive > 1e-16) {
    const next = n.mu + (v - n.mu) * decay;
    const p = -Math.expm1((-dt * (lambda(v) + lambda(next))) / 2);
    g.push(survive * p);
    survive *= 1 - p;
    v = next;
  }
  return { g, offset: n.refSteps + 1 };
}

/** Expected spikes of that neuron in n steps from a reset (renewal function); the ISI mean and variance in steps. */
function renewal(pmf: { g: number[]; offset: number }, n: number) {
  const { g, offset } = pmf;
  const M = new Float64Array(n + 1);
  for (let m = 1; m <= n; m++) {
    let s = 0;
    for (let k = 0; k < Math.min(m, g.length); k++) {
      const rest = m - k - offset;
      s += g[k] * (1 + (rest > 0 ? M[rest] : 0));
    }
    M[m] = s;
  }
  let mean = 0;
  let second = 0;
  for (let k = 0; k < g.length; k++) {
    mean += g[k] * (offset + k);
    second += g[k] * (offset + k) ** 2;
  }
  return { spikes: M[n], meanIsi: mean, varIsi: second - mean * mean };
}

/**
 * The input of docs/step-semantics.md for a projection whose presynaptic spikes are known: the
 * spikes of step m reach the filter at the start of step m + D, which is then read (I_n = scale·g_n)
 * and decays. `kicksAt(m)`: the sum of the efficacies of step m's spikes per target.
 */
function inputTrace(p: Brian2Params, q: Brian2Projection, kicksAt: (m: number) => number): Float64Array {
  const decay = exponentialPropagator({ tauS: q.tauS }, p.dt).decay;
  const out = new Float64Array(p.steps);
  let g = 0;
  for (let n = 0; n < p.steps; n++) {
    g *= n > 0 ? decay : 1;
    if (n >= q.delaySteps) g += q.weight * q.kickScale * kicksAt(n - q.delaySteps);
    out[n] = q.inputScale * g;
  }
  return out;
}

const mean = (v: ArrayLike<number>, from = 0) => {
  let s = 0;
  for (let i = from; i < v.length; i++) s += v[i];
  return s / (v.length - from);
};

/** a equals b to a relative 1e-9: the same arithmetic up to rounding. */
const same = (a: number, b: number) => expect(Math.abs(a - b), `${a} against ${b}`).toBeLessThanOrEqual(1e-9 * Math.abs(b) + 1e-300);

/** Poisson sources that spike in every step (P = 1 − e^{−100} = 1 in float64) make a run deterministic. */
const EVERY_STEP = 1e6;

describe('Brian2 peer scripts, run on the numpy target (Brian2 is installed by scripts/setup.sh)', () => {
  let probe: Brian2Probe;
  beforeAll(async () => {
    probe = await probeBrian2(join(root, 'bin', 'mesostp.js'));
  }, 120_000);

  it('Brian2 is found, with the scripts beside the CLI', () => {
    expect('refused' in probe ? probe.refused : '').toBe('');
  });

  it('feedforward_mc.py with sources that spike every step: the input trace and the TM state of mesostp, exactly', async () => {
    if ('refused' in probe) throw new Error(probe.refused);
    const s = monteCarlo(2, 0.05, { stp: true });
    s.populations.pre = { ...s.populations.pre, N: 10, rate: { type: 'constant', value: EVERY_STEP } };
    s.record.binSize = s.run.dt;
    const p = brian2Params(asCase(s, 'feedforward_mc'));
    const q = p.projections[0];
    const stp = q.stp!;
    const N = p.sources.N;
    // Every synapse sees the same train: one state stands for all.
    const state = createTmState(stp, 1);
    const w = Array.from({ length: p.steps }, (_, m) => tmOnSpike(stp, state, 0, m * p.dt));
    const trace = inputTrace(p, q, (m) => N * w[m]);
    // mesostp's own engine on the same scenario: the trace the step semantics define.
    const rec = await runVariant('micro-cpu', parseScenario(s));
    const recorded = rec.inputs.post.sampled;
    for (let n = 0; n < p.steps; n++) same(recorded[n], trace[n]);
    const out = await runBrian2Script(probe, p, 'numpy');
    expect(out.populations.pre.spikesPerTrial).toBe(N * p.steps);
    same(out.inputs!.post.mean, mean(trace));
    for (const m of out.inputs!.post.trialMeansLastHalf) same(m, mean(trace, p.steps / 2));
    // Brian2 has applied the spikes up to step n − D when it stops, each (D − 1) steps late: the state of
    // that spike relaxed by one step (mesostp's last bin: the spike of step n − 1 relaxed by one step).
    const late = createTmState(stp, 1);
    for (let m = 0; m <= p.steps - q.delaySteps; m++) tmOnSpike(stp, late, 0, m * p.dt);
    tmRelax(stp, late, 0, (p.steps - q.delaySteps + 1) * p.dt);
    same(out.stpEnd!['pre->post'].u, late.u[0]);
    same(out.stpEnd!['pre->post'].x, late.x[0]);
  }, 90_000);

  it('recurrent.py with neurons that fire as soon as they can: refractoriness, delays and presynaptic STP of mesostp, exactly', async () => {
    if ('refused' in probe) throw new Error(probe.refused);
    // c = 10⁹ Hz: the hazard at u_r already gives P = 1 in float64, so every neuron fires in every step
    // it is not refractory: at steps 0, R + 1, 2(R + 1), …
    const s = recurrent(200, 0.05, 'per-presynaptic STP');
    s.run = { ...s.run, dt: 1e-4, trials: 2 };
    s.populations.E.c = 1e9;
    s.populations.ext.rate = { type: 'constant', value: EVERY_STEP };
    // A recurrent delay of one step: the efficacy a spike sets must be read in its own step.
    s.projections[1].delay = 1e-4;
    s.record = { activity: true, binSize: 1e-4, inputs: [{ population: 'E', neurons: 3 }], stp: true };
    const p = brian2Params(asCase(s, 'recurrent'));
    const [ext, recurrentProjection] = p.projections;
    const stp = recurrentProjection.stp!;
    const period = p.neurons.refSteps + 1;
    const spikeSteps = Array.from({ length: Math.ceil(p.steps / period) }, (_, k) => k * period);
    const state = createDepressionState(1);
    const w = new Map(spikeSteps.map((m) => [m, depressionOnSpike(stp, state, 0, m * p.dt)]));
    depressionRelax(stp, state, 0, p.steps * p.dt);
    const C = (q: Brian2Projection) => (q.connectivity.type === 'fixed-indegree' ? q.connectivity.C : NaN);
    const fromExt = inputTrace(p, ext, () => C(ext));
    const fromRec = inputTrace(p, recurrentProjection, (m) => C(recurrentProjection) * (w.get(m) ?? 0));
    const trace = fromExt.map((v, n) => v + fromRec[n]);
    const rec = await runVariant('micro-cpu', parseScenario(s));
    for (let n = 0; n < p.steps; n++) same(rec.inputs.E.sampled[n], trace[n]);
    same(rec.stp['E->E'].x[p.steps - 1], state.x[0]);
    const out = await runBrian2Script(probe, p, 'numpy');
    expect(out.populations.ext.spikesPerTrial).toBe(p.sources.N * p.steps);
    expect(out.populations.E.spikesPerTrial).toBe(p.neurons.N * spikeSteps.length);
    same(out.inputs!.E.mean, mean(trace));
    for (const m of out.inputs!.E.trialMeansLastHalf) same(m, mean(trace, p.steps / 2));
    same(out.stpEnd!['E->E'].x, state.x[0]);
  }, 90_000);

  it('feedforward_mc.py: Poisson counts, the stationary input and the TM state at the end match the exact and mean-field values', async () => {
    if ('refused' in probe) throw new Error(probe.refused);
    const B = 32;
    const T = 1.5;
    const p = brian2Params(asCase(monteCarlo(B, T, { stp: true }), 'feedforward_mc'));
    const out = await runBrian2Script(probe, p, 'numpy');
    const { N, rateHz } = p.sources;
    const P = -Math.expm1(-rateHz * p.dt);
    // Counts per trial are Binomial(N·steps, P): within 5 standard errors of their mean over B trials.
    const expected = N * p.steps * P;
    const se = Math.sqrt((N * p.steps * P * (1 - P)) / B);
    expect(Math.abs(out.populations.pre.spikesPerTrial - expected)).toBeLessThan(5 * se);
    // The input sampled at a step start after the step's kicks: E[g] = J·kick·N·P·E[w]/(1 − e^{−dt/τs}),
    // E[w] the stationary efficacy at rate P/dt (MF2: within 0.015 % of the exact value, docs/models.md §5).
    const q = p.projections[0];
    const stp = q.stp!;
    const mf = tmStationaryMf2(stp, P / p.dt);
    const decay = exponentialPropagator({ tauS: q.tauS }, p.dt).decay;
    const input = (q.inputScale * q.weight * q.kickScale * N * P * mf.efficacy) / (1 - decay);
    const measured = meanSe(out.inputs!.post.trialMeansLastHalf);
    // Tolerance: 5 standard errors of the trial means, plus 0.3 % for spikes on the step grid
    // instead of a Poisson process (of order dt/τF = 0.2 %) and the MF2 closure.
    expect(measured.se / measured.mean).toBeLessThan(0.01);
    expect(Math.abs(measured.mean - input)).toBeLessThan(5 * measured.se + 0.003 * input);
    // u and x at the end, relaxed to the end time: stationary between-spike means (PASTA), over B·N synapses.
    const end = out.stpEnd!['pre->post'];
    const sd = out.stpEndSd!['pre->post'];
    expect(sd.entries).toBe(B * N);
    const Eu = uStationaryMoments(stp, P / p.dt).Eu;
    expect(Math.abs(end.u - Eu)).toBeLessThan((5 * sd.u) / Math.sqrt(sd.entries) + 0.003 * Eu);
    expect(Math.abs(end.x - mf.x)).toBeLessThan((5 * sd.x) / Math.sqrt(sd.entries) + 0.003 * mf.x);
    const z = (v: number, e: number, s: number) => `${v.toPrecision(6)} (expected ${e.toPrecision(6)}, ${((v - e) / s).toFixed(1)} s.e.)`;
    console.log(
      `[mesostp] brian2 feedforward_mc.py (numpy): source spikes per trial ${z(out.populations.pre.spikesPerTrial, expected, se)}; input ${z(measured.mean, input, measured.se)} mV; u ${z(end.u, Eu, sd.u / Math.sqrt(sd.entries))}; x ${z(end.x, mf.x, sd.x / Math.sqrt(sd.entries))}`,
    );
  }, 90_000);

  it('recurrent.py: Poisson counts, the neurons’ spike count (renewal theory), the depressed x at the end and the mean input are exact', async () => {
    if ('refused' in probe) throw new Error(probe.refused);
    // Weights so small (input ≈ 1e-4 mV) that the neurons fire as if uncoupled, at a known rate,
    // while both synaptic paths still carry the exact mean input. μ raised for a rate of about 40 Hz,
    // and dt = 1 ms, so that the count resolves a shift of the hazard by half a step (a hazard taken
    // at the step start only fires 2 % earlier), and the delay of one step makes a spike's efficacy
    // be read in its own step.
    const B = 8;
    const T = 1.5;
    const s = recurrent(500, T, 'per-presynaptic STP');
    s.run = { ...s.run, dt: 1e-3, trials: B };
    s.populations.E.mu = { type: 'constant', value: 25 };
    s.projections[0].weight = 1e-5;
    s.projections[1].weight = 1e-5;
    s.record = { activity: true, binSize: 0.001, inputs: [{ population: 'E', neurons: 100 }] };
    const p = brian2Params(asCase(s, 'recurrent'));
    const out = await runBrian2Script(probe, p, 'numpy');
    const P = -Math.expm1(-p.sources.rateHz * p.dt);
    const extCount = p.sources.N * p.steps * P;
    expect(Math.abs(out.populations.ext.spikesPerTrial - extCount)).toBeLessThan(5 * Math.sqrt((extCount * (1 - P)) / B));
    // Spikes per trial: N neurons, each a renewal process started at a reset; variance ≈ T σ²/μ³ per neuron.
    const pmf = isiPmf(p.neurons, p.dt);
    const r = renewal(pmf, p.steps);
    const N = p.neurons.N;
    const countSe = Math.sqrt((N * p.steps * r.varIsi) / r.meanIsi ** 3 / B);
    expect(r.meanIsi * p.dt).toBeGreaterThan(0.015); // far from the refractory limit of 5 ms
    expect(p.projections.map((q) => q.delaySteps)).toEqual([1, 1]);
    expect(Math.abs(out.populations.E.spikesPerTrial - N * r.spikes)).toBeLessThan(5 * countSe);
    // Depression under renewal spikes: x⁻ of consecutive spikes obeys x⁻' = 1 − (1 − (1 − U)x⁻)e^{−ISI/τD}
    // with the ISI independent of x⁻, so E[x⁻] = (1 − φ)/(1 − (1 − U)φ), φ = E[e^{−ISI/τD}]; at the end the
    // last spike lies j ≥ 1 steps back with probability P(ISI ≥ j)/E[ISI].
    const { U, tauD } = p.projections[1].stp!;
    let phi = 0;
    for (let k = 0; k < pmf.g.length; k++) phi += pmf.g[k] * Math.exp((-(pmf.offset + k) * p.dt) / tauD);
    const xMinus = (1 - phi) / (1 - (1 - U) * phi);
    let ageDecay = 0;
    let tail = 1; // P(ISI ≥ j)
    for (let j = 1; j < pmf.offset + pmf.g.length; j++) {
      ageDecay += (tail / r.meanIsi) * Math.exp((-j * p.dt) / tauD);
      if (j >= pmf.offset) tail -= pmf.g[j - pmf.offset];
    }
    const xEnd = 1 - (1 - (1 - U) * xMinus) * ageDecay;
    const sd = out.stpEndSd!['E->E'];
    expect(sd.entries).toBe(N * B);
    expect(out.stpEnd!['E->E']).not.toHaveProperty('u');
    expect(Math.abs(out.stpEnd!['E->E'].x - xEnd)).toBeLessThan((5 * sd.x) / Math.sqrt(sd.entries));
    // Mean input: per step C·P kicks from the sources and C/E[ISI] spikes of efficacy U·E[x⁻] from the network.
    const [ext, rec] = p.projections;
    const kicks = (q: typeof ext, perStep: number) =>
      (q.inputScale * q.weight * q.kickScale * perStep) / (1 - exponentialPropagator({ tauS: q.tauS }, p.dt).decay);
    const connections = (q: typeof ext) => (q.connectivity.type === 'fixed-indegree' ? q.connectivity.C : 0);
    const input = kicks(ext, connections(ext) * P) + kicks(rec, (connections(rec) * U * xMinus) / r.meanIsi);
    const measured = meanSe(out.inputs!.E.trialMeansLastHalf);
    expect(measured.se / measured.mean).toBeLessThan(0.02);
    expect(Math.abs(measured.mean - input)).toBeLessThan(5 * measured.se);
    const z = (v: number, e: number, s: number) => `${v.toPrecision(6)} (expected ${e.toPrecision(6)}, ${((v - e) / s).toFixed(1)} s.e.)`;
    console.log(
      `[mesostp] brian2 recurrent.py (numpy): source spikes per trial ${z(out.populations.ext.spikesPerTrial, extCount, Math.sqrt((extCount * (1 - P)) / B))}; neuron spikes per trial ${z(out.populations.E.spikesPerTrial, N * r.spikes, countSe)}; x at the end ${z(out.stpEnd!['E->E'].x, xEnd, sd.x / Math.sqrt(sd.entries))}; input ${z(measured.mean, input, measured.se)} mV`,
    );
  }, 90_000);
});
