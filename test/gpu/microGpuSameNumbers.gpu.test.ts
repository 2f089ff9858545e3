/**
 * Same random numbers, same results: the GPU engine draws its spikes from the same Philox
 * streams as the CPU engine (key (seed, population), counter (⌊i/4⌋, n, trial, spike), word
 * i mod 4; sparse Poisson populations by the event scheme of src/rng/poissonEvents.ts, with the
 * CDF tables and probabilities computed in float64 on the host), so over the first steps of
 * each model family its spike trains equal the CPU engine's, and its recorded input and STP
 * means agree within float32 tolerance. What differs is float32 against float64 arithmetic and
 * the fixed-point ring (≤ in-degree·2^−31 of the largest kick).
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { simulateMicroGpu } from '../../src/micro/gpu';
import { simulateMicroCpu } from '../../src/micro/cpu';
import { compileNetwork } from '../../src/compile';
import { planGpu } from '../../src/micro/gpu/plan';
import { residentUnsupported } from '../../src/micro/gpu/resident';
import type { Recording } from '../../src/model/recording';
import { scenario } from '../unit/microCpu/support';
import { glif, poisson } from '../support/populations';

const dt = 5e-4;

/** Every spike of every population, every neuron's input, every STP mean, bins of one step. */
function recordAll(pops: Record<string, { N: number; model: string }>, binSize: number) {
  const names = Object.keys(pops);
  return {
    activity: true,
    binSize,
    stp: true,
    inputs: names.filter((n) => pops[n].model !== 'poisson').map((population) => ({ population, neurons: pops[population].N })),
    spikes: names.map((population) => ({ population, neurons: pops[population].N })),
  };
}

interface Family {
  name: string;
  /** More neurons per trial than the resident schedule runs (the fused and general ones run every family). */
  beyondResident?: boolean;
  dt?: number;
  /** run.integration (default 'held'). */
  integration?: 'held' | 'exact';
  populations: Record<string, any>;
  projections: any[];
  steps?: number;
}

const FAMILIES: Family[] = [
  {
    name: "run.integration 'exact': exponential, alpha and three-state cascade current filters, every stage coupled into the held input",
    integration: 'exact',
    populations: { src: poisson(40, 30), exc: glif(30, 12) },
    projections: [
      {
        from: 'src',
        to: 'exc',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.8,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.1 },
      },
      { from: 'src', to: 'exc', connectivity: { type: 'fixed-indegree', C: 10 }, weight: 0.6, delay: 0.0005, filter: { type: 'alpha', tau: 0.003 } },
      {
        from: 'exc',
        to: 'exc',
        connectivity: { type: 'fixed-probability', p: 0.3 },
        weight: 0.5,
        delay: 0.001,
        filter: { type: 'dual-exponential', tauRise: 0.002, tauDecay: 0.004 },
        stp: { model: 'three-state', U: 0.4, tauIn: 0.003, tauRec: 0.3 },
      },
    ],
  },
  {
    name: 'Poisson → GLIF with two adaptation kernels, exponential current filter, Tsodyks–Markram (facilitating); recurrent dual-exponential inhibition',
    populations: {
      src: poisson(40, 30),
      exc: glif(30, 12, {
        adaptation: [
          { J: 0.5, tau: 0.1 },
          { J: 0.2, tau: 0.02 },
        ],
      }),
    },
    projections: [
      {
        from: 'src',
        to: 'exc',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.8,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.1, U0: 0.1, tauD: 0.1, tauF: 0.5 },
      },
      {
        from: 'exc',
        to: 'exc',
        connectivity: { type: 'fixed-probability', p: 0.3 },
        weight: -0.5,
        delay: 0.0015,
        filter: { type: 'dual-exponential', tauRise: 0.002, tauDecay: 0.008 },
      },
    ],
  },
  {
    name: 'deterministic LIF, delta current synapses with depression, alpha filter, steps and sinusoidal drives; networks drawn per trial',
    populations: {
      src: { model: 'poisson', N: 50, rate: { type: 'steps', times: [0.05], values: [10, 60] } },
      lif: { model: 'lif', N: 20, tauM: 0.01, mu: { type: 'sinusoid', offset: 12, amplitude: 4, frequency: 8 }, uReset: 0, tRef: 0.002, uTh: 15 },
    },
    projections: [
      {
        from: 'src',
        to: 'lif',
        connectivity: { type: 'all-to-all' },
        weight: 0.6,
        delay: 0.0005,
        filter: { type: 'delta' },
        stp: { model: 'depression', U: 0.4, tauD: 0.3 },
      },
      {
        from: 'src',
        to: 'lif',
        connectivity: { type: 'fixed-indegree', C: 10, perTrial: true },
        weight: 1.2,
        delay: 0.002,
        filter: { type: 'alpha', tau: 0.003 },
      },
      {
        from: 'src',
        to: 'lif',
        connectivity: { type: 'fixed-probability', p: 0.2, perTrial: true },
        weight: 0.5,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.004 },
        stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.1, tauF: 0.3 },
      },
    ],
  },
  {
    name: 'conductance outputs: exponential AMPA-like, NMDA with Mg²⁺ block, dual-exponential GABA',
    populations: { src: poisson(60, 20), inh: poisson(20, 40), post: glif(25, 14, { restPotential: -65 }) },
    projections: [
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 30 },
        weight: 0.05,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.004 },
        output: { type: 'conductance', E: 65 },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 30 },
        weight: 0.03,
        delay: 0.001,
        filter: { type: 'dual-exponential', tauRise: 0.005, tauDecay: 0.08 },
        output: { type: 'conductance', E: 65, mgBlock: { Mg: 1 } },
        stp: { model: 'depression', U: 0.3, tauD: 0.2 },
      },
      {
        from: 'inh',
        to: 'post',
        connectivity: { type: 'all-to-all' },
        weight: 0.04,
        delay: 0.0005,
        filter: { type: 'dual-exponential', tauRise: 0.002, tauDecay: 0.01 },
        output: { type: 'conductance', E: -15 },
      },
    ],
  },
  {
    name: 'instantaneous conductance pulses (unblocked and NMDA-blocked) together with delta current kicks and a filtered NMDA input',
    populations: { src: poisson(60, 30), inh: poisson(30, 30), post: glif(25, 12, { restPotential: -65 }) },
    projections: [
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.02,
        delay: 0.001,
        filter: { type: 'delta' },
        output: { type: 'conductance', E: 65 },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.03,
        delay: 0.0015,
        filter: { type: 'delta' },
        output: { type: 'conductance', E: 65, mgBlock: { Mg: 1 } },
        stp: { model: 'depression', U: 0.3, tauD: 0.2 },
      },
      {
        from: 'inh',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 0.05,
        delay: 0.001,
        filter: { type: 'delta' },
        output: { type: 'conductance', E: -15 },
      },
      { from: 'src', to: 'post', connectivity: { type: 'fixed-indegree', C: 10 }, weight: 0.4, delay: 0.001, filter: { type: 'delta' } },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.02,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.01 },
        output: { type: 'conductance', E: 65, mgBlock: { Mg: 1 } },
      },
    ],
  },
  {
    name: 'kinetic receptors: AMPA and GABA_A gates per presynaptic neuron, NMDA (Mg²⁺ block) gates per synapse under heterogeneous STP',
    dt: 1e-4,
    steps: 600,
    populations: { src: poisson(40, 40), inh: poisson(20, 40), post: glif(20, 10, { restPotential: -65 }) },
    projections: [
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 20, perTrial: true },
        weight: 0.05,
        delay: 0.0005,
        filter: { type: 'kinetic', receptor: 'AMPA' },
        output: { type: 'conductance', E: 65 },
        stp: { model: 'tsodyks-markram', U: 0.3, U0: 0.3, tauD: 0.2, tauF: 0.05 },
      },
      {
        from: 'inh',
        to: 'post',
        connectivity: { type: 'all-to-all' },
        weight: 0.03,
        delay: 0.0003,
        filter: { type: 'kinetic', receptor: 'GABA_A' },
        output: { type: 'conductance', E: -15 },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.08,
        delay: 0.001,
        filter: { type: 'kinetic', receptor: 'NMDA' },
        output: { type: 'conductance', E: 65, mgBlock: { Mg: 1 } },
        stp: { model: 'depression', U: 0.4, tauD: 0.3 },
        heterogeneity: { U: { distribution: 'lognormal', cv: 0.4 } },
      },
    ],
  },
  {
    name: 'a trial of 2300 neurons, beyond the resident kernel: event-scheme Poisson input, recurrent Tsodyks–Markram rows of ~80 synapses (split over lanes by the fused kernel)',
    beyondResident: true,
    populations: { src: poisson(2000, 5), post: glif(300, 12) },
    projections: [
      { from: 'src', to: 'post', connectivity: { type: 'fixed-indegree', C: 40 }, weight: 0.4, delay: 0.0005, filter: { type: 'delta' } },
      {
        from: 'post',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 80 },
        weight: 0.3,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.3, U0: 0.3, tauD: 0.3, tauF: 0.1 },
      },
    ],
  },
  {
    name: 'three-state STP behind delta, exponential and alpha filters (y as one more postsynaptic stage)',
    populations: { src: poisson(30, 25), post: glif(20, 11) },
    projections: [
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 15 },
        weight: 1.0,
        delay: 0.001,
        filter: { type: 'delta' },
        stp: { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.4 },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 15 },
        weight: 1.0,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.01 },
        stp: { model: 'three-state', U: 0.3, tauIn: 0.003, tauRec: 0.8 },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 15 },
        weight: 1.0,
        delay: 0.002,
        filter: { type: 'alpha', tau: 0.004 },
        stp: { model: 'three-state', U: 0.6, tauIn: 0.002, tauRec: 0.3 },
      },
    ],
  },
  {
    name: 'three-state STP with heterogeneous tauIn (a y stage per synapse, run in presynaptic time) behind delta, exponential and alpha filters',
    populations: { src: poisson(30, 30), post: glif(20, 11) },
    projections: [
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 15 },
        weight: 1.0,
        delay: 0.001,
        filter: { type: 'delta' },
        stp: { model: 'three-state', U: 0.5, tauIn: 0.004, tauRec: 0.4 },
        heterogeneity: { tauIn: { distribution: 'lognormal', cv: 0.5 } },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 15 },
        weight: 1.0,
        delay: 0.0015,
        filter: { type: 'exponential', tau: 0.01 },
        stp: { model: 'three-state', U: 0.3, tauIn: 0.003, tauRec: 0.8 },
        heterogeneity: { tauIn: { distribution: 'uniform', halfWidth: 0.001 }, U: { distribution: 'lognormal', cv: 0.3 } },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 15 },
        weight: 1.0,
        delay: 0.002,
        filter: { type: 'alpha', tau: 0.004 },
        stp: { model: 'three-state', U: 0.6, tauIn: 0.003, tauRec: 0.3 },
        heterogeneity: { tauIn: { distribution: 'lognormal', cv: 0.4 }, weight: { distribution: 'lognormal', cv: 0.5 } },
      },
    ],
  },
  {
    name: 'heterogeneous synapses: per-synapse Tsodyks–Markram parameters, heterogeneous weights, per-synapse depression',
    populations: { src: poisson(40, 30), post: glif(20, 12) },
    projections: [
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 1.0,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.3 },
        heterogeneity: {
          U: { distribution: 'lognormal', cv: 0.5 },
          tauF: { distribution: 'uniform', halfWidth: 0.1 },
          weight: { distribution: 'normal', sd: 0.3 },
        },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.5,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'depression', U: 0.5, tauD: 0.3 },
        heterogeneity: { tauD: { distribution: 'lognormal', cv: 0.4 } },
      },
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'fixed-indegree', C: 20 },
        weight: 0.4,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        heterogeneity: { weight: { distribution: 'lognormal', cv: 0.8 } },
      },
      // Rows of 20 (> 16): the workgroup-per-spike propagation with per-synapse state; 800 entries: the workgroup STP reduction.
      {
        from: 'src',
        to: 'post',
        connectivity: { type: 'all-to-all' },
        weight: 0.2,
        delay: 0.0015,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'three-state', U: 0.4, tauIn: 0.003, tauRec: 0.3 },
        heterogeneity: { U: { distribution: 'lognormal', cv: 0.3 } },
      },
    ],
  },
  {
    name: 'Poisson sources under both schemes: a dense one (N·p too large for events) and a sinusoidally modulated event-scheme one, into GLIF through Tsodyks–Markram',
    populations: {
      dense: { model: 'poisson', N: 600, rate: { type: 'constant', value: 400 } },
      sparse: { model: 'poisson', N: 300, rate: { type: 'sinusoid', offset: 20, amplitude: 15, frequency: 5 } },
      exc: glif(20, 8),
    },
    projections: [
      {
        from: 'dense',
        to: 'exc',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 0.05,
        delay: 0.0005,
        filter: { type: 'exponential', tau: 0.005 },
      },
      {
        from: 'sparse',
        to: 'exc',
        connectivity: { type: 'all-to-all' },
        weight: 0.3,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.3, U0: 0.3, tauD: 0.2, tauF: 0.05 },
      },
    ],
  },
];

function compare(g: Recording, c: Recording, steps: number) {
  for (const pop of Object.keys(c.spikes)) {
    const a = g.spikes[pop];
    const b = c.spikes[pop];
    expect(a.trial.length, `${pop}: spike count`).toBe(b.trial.length);
    expect(Array.from(a.trial), `${pop}: trials`).toEqual(Array.from(b.trial));
    expect(Array.from(a.neuron), `${pop}: neurons`).toEqual(Array.from(b.neuron));
    expect(Array.from(a.time), `${pop}: times`).toEqual(Array.from(b.time));
    expect(Array.from(g.activity[pop]), `${pop}: activity`).toEqual(Array.from(c.activity[pop]));
  }
  for (const pop of Object.keys(c.inputs)) {
    const a = g.inputs[pop].sampled;
    const b = c.inputs[pop].sampled;
    let scale = 0;
    for (const v of b) scale = Math.max(scale, Math.abs(v));
    let worst = 0;
    for (let k = 0; k < b.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
    // float32 state carried over `steps` steps: a few ulp of the largest input per step at most.
    expect(worst, `${pop}: input`).toBeLessThan(2e-5 * Math.max(1, scale));
    const ma = g.inputs[pop].populationMean;
    const mb = c.inputs[pop].populationMean;
    for (let k = 0; k < mb.length; k++) expect(Math.abs(ma[k] - mb[k]), `${pop}: mean input bin ${k}`).toBeLessThan(2e-5 * Math.max(1, scale));
  }
  for (const [proj, vars] of Object.entries(c.stp)) {
    for (const [v, b] of Object.entries(vars)) {
      const a = g.stp[proj][v];
      for (let k = 0; k < b.length; k++) expect(Math.abs(a[k] - b[k]), `${proj}.${v} bin ${k}`).toBeLessThan(2e-6);
    }
  }
  expect(g.bins).toBe(steps);
}

describe('micro-gpu against micro-cpu with the same random numbers', () => {
  for (const f of FAMILIES) {
    it(f.name, async () => {
      const gpu = await testGpu();
      const steps = f.steps ?? 400;
      const step = f.dt ?? dt;
      const s = scenario({
        populations: f.populations,
        projections: f.projections.map((p, i) => ({ name: `p${i}`, ...p })),
        run: { dt: step, duration: steps * step, trials: 3, seed: 11, integration: f.integration ?? 'held' },
        record: recordAll(f.populations, step),
      });
      const c = simulateMicroCpu(s);
      const spikes = Object.values(c.spikes).reduce((n, r) => n + r.trial.length, 0);
      // A test that compares no spikes compares nothing: each family fires.
      expect(spikes).toBeGreaterThan(100);
      const general = await simulateMicroGpu(s, { gpu, chunkSteps: 150, mode: 'general' });
      expect(general.engine.mode).toBe('general');
      compare(general, c, steps);
      // The resident schedule, where it runs the family, and the fused schedule draw the same numbers too.
      const plan = planGpu(compileNetwork(s, { engine: 'micro-gpu', proceduralWithoutCsr: true }), s, 1);
      const why = residentUnsupported(plan);
      expect(why === null, `resident support of "${f.name}": ${why}`).toBe(!f.beyondResident);
      if (why === null) {
        const resident = await simulateMicroGpu(s, { gpu, chunkSteps: 150, mode: 'resident' });
        expect(resident.engine.mode).toBe('resident');
        expect(resident.engine.dispatchesPerStep).toBeCloseTo(Math.ceil(steps / 150) / steps, 9);
        compare(resident, c, steps);
      }
      const fused = await simulateMicroGpu(s, { gpu, chunkSteps: 150, mode: 'fused' });
      expect(fused.engine.mode).toBe('fused');
      // Two dispatches per step, and the STP means' at every bin's end (bins of one step here).
      const stp = f.projections.some((p) => p.stp !== undefined);
      expect(fused.engine.dispatchesPerStep).toBe(stp ? 3 : 2);
      compare(fused, c, steps);
      // Up to three schedules, each compiling the family's kernels: on a software adapter beside the
      // other test files, minutes for the largest.
    }, 300_000);
  }
});

describe('the event scheme on the GPU', () => {
  it('draws the spike trains of the CPU engine whatever the batching and the schedule, and both engines report the scheme', async () => {
    const gpu = await testGpu();
    const s = scenario({
      populations: { src: { model: 'poisson', N: 1000, rate: { type: 'steps', times: [0.02], values: [10, 80] } } },
      run: { dt: 1e-4, duration: 0.05, trials: 7, seed: 5 },
      record: { spikes: [{ population: 'src', neurons: 1000 }] },
    });
    const c = simulateMicroCpu(s);
    expect(c.engine.poissonSources).toEqual({ src: 'events' });
    const key = (r: Recording) => {
      const sp = r.spikes.src;
      return Array.from(sp.trial, (t, q) => `${t}:${Math.round(sp.time[q] / 1e-4)}:${sp.neuron[q]}`).sort();
    };
    const cs = key(c);
    // 7 trials × 1000 neurons × (20 ms at 10 Hz + 30 ms at 80 Hz) ≈ 18200 spikes.
    expect(cs.length).toBeGreaterThan(17000);
    for (const mode of ['general', 'fused', 'resident'] as const) {
      const g = await simulateMicroGpu(s, { gpu, chunkSteps: 97, maxTrialsPerBatch: 3, mode });
      expect(g.engine.mode).toBe(mode);
      expect(g.engine.batches).toBe(3);
      expect(g.engine.poissonSources).toEqual({ src: 'events' });
      expect(key(g), mode).toEqual(cs);
    }
  });
});
