/**
 * The phases the fused and resident schedules run that the same-numbers families combine with
 * others (microGpuSameNumbers.gpu.test.ts), each on its own: both schedules against the general
 * schedule, which runs them in their own kernels, with the same random numbers.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { expectSameRun } from '../support/sameRun';
import { simulateMicroGpu } from '../../src/micro/gpu';
import type { Recording } from '../../src/model/recording';
import { scenario } from '../unit/microCpu/support';
import { glif as baseGlif, poisson } from '../support/populations';

// Conductances and the NMDA block need a resting potential.
const glif = (N: number, mu: number, extra: Record<string, unknown> = {}) => baseGlif(N, mu, { restPotential: -65, ...extra });

const dt = 5e-4;
// Chunks that end mid-run: state carried across a chunk boundary is compared too.
const chunkSteps = 100;

const pulse = (from: string, weight: number, output: Record<string, unknown>) => ({
  from,
  to: 'post',
  connectivity: { type: 'fixed-indegree' as const, C: 15 },
  weight,
  delay: 0.001,
  filter: { type: 'delta' as const },
  output: { type: 'conductance' as const, ...output },
});

/** The general, fused and resident runs of a network into population `post`, the fused and resident ones compared with the general one. */
async function sameInEverySchedule(
  name: string,
  populations: Record<string, any>,
  projections: any[],
  { step, steps }: { step: number; steps: number } = { step: dt, steps: 240 },
): Promise<Recording> {
  const gpu = await testGpu();
  const s = scenario({
    populations,
    projections: projections.map((p, i) => ({ name: `p${i}`, ...p })),
    run: { dt: step, duration: steps * step, trials: 3, seed: 21 },
    record: {
      activity: true,
      binSize: step,
      stp: true,
      inputs: [{ population: 'post', neurons: populations.post.N }],
      spikes: Object.keys(populations).map((population) => ({ population, neurons: populations[population].N })),
    },
  });
  const general = await simulateMicroGpu(s, { gpu, chunkSteps, mode: 'general' });
  expect(general.engine.mode).toBe('general');
  expect(general.spikes.post.trial.length, name).toBeGreaterThan(50);
  for (const mode of ['fused', 'resident'] as const) {
    const r = await simulateMicroGpu(s, { gpu, chunkSteps, mode });
    expect(r.engine.mode).toBe(mode);
    expectSameRun(r, general, `${name}, ${mode}`);
  }
  return general;
}

/** Steps in which some neuron of `post` recorded a delta input below `below` (a pulse towards a low reversal potential). */
function stepsWithInputBelow(r: Recording, below: number): number {
  const x = r.inputs.post.sampled;
  const bins = r.bins;
  let count = 0;
  for (let t = 0; t < bins; t++) {
    for (let i = 0; i < x.length / bins; i++) {
      if (x[i * bins + t] < below) {
        count++;
        break;
      }
    }
  }
  return count;
}

describe('conductance pulses in the fused and resident schedules', () => {
  it('unblocked pulses (the closed form) with current kicks, no blocked pulse projection', async () => {
    const r = await sameInEverySchedule('unblocked pulses', { exc: poisson(40, 60), inh: poisson(20, 60), post: glif(20, 14) }, [
      pulse('exc', 0.03, { E: 65 }),
      pulse('inh', 0.06, { E: -15 }),
      { from: 'exc', to: 'post', connectivity: { type: 'fixed-indegree', C: 10 }, weight: 0.4, delay: 0.0005, filter: { type: 'delta' } },
    ]);
    // Inhibitory pulses pull V towards −15 mV: they must have reached the neurons.
    expect(stepsWithInputBelow(r, -1)).toBeGreaterThan(10);
  }, 120_000);

  it('two blocked (NMDA) pulse projections alone (RK4 with substep doubling)', async () => {
    const r = await sameInEverySchedule('blocked pulses', { exc: poisson(40, 60), inh: poisson(20, 60), post: glif(20, 14) }, [
      pulse('exc', 0.08, { E: 65, mgBlock: { Mg: 1 } }),
      pulse('inh', 0.1, { E: -15, mgBlock: { Mg: 2 } }),
    ]);
    expect(stepsWithInputBelow(r, -1)).toBeGreaterThan(10);
  }, 120_000);
});

describe('kinetic receptors in the fused and resident schedules', () => {
  it('heterogeneous weights: gates per presynaptic neuron (no STP, delay of one step) and per synapse (heterogeneous depression)', async () => {
    const step = 1e-4;
    const kinetic = (from: string, receptor: string, E: number, extra: Record<string, unknown>) => ({
      from,
      to: 'post',
      connectivity: { type: 'fixed-indegree' as const, C: 15 },
      weight: 0.06,
      filter: { type: 'kinetic' as const, receptor },
      output: { type: 'conductance' as const, E },
      heterogeneity: { weight: { distribution: 'lognormal', cv: 0.5 } },
      ...extra,
    });
    const r = await sameInEverySchedule(
      'kinetic gates',
      // A steeper escape rate (c) than the others': 60 ms of kinetic input must make the neurons fire.
      { exc: poisson(40, 60), inh: poisson(20, 60), post: glif(20, 14, { c: 100 }) },
      [
        kinetic('exc', 'AMPA', 65, { delay: step }),
        kinetic('inh', 'GABA_A', -15, {
          delay: 0.0005,
          stp: { model: 'depression', U: 0.4, tauD: 0.3 },
          heterogeneity: { weight: { distribution: 'lognormal', cv: 0.5 }, U: { distribution: 'lognormal', cv: 0.4 } },
        }),
      ],
      { step, steps: 600 },
    );
    expect(stepsWithInputBelow(r, -1)).toBeGreaterThan(10);
  }, 120_000);
});

describe('per-synapse filters (three-state y under a heterogeneous tauIn) in the fused and resident schedules', () => {
  it('0, 1 and 2 postsynaptic stages (delta, exponential, alpha), each with a delay of one step', async () => {
    const synY = (filter: Record<string, unknown>, U: number) => ({
      from: 'src',
      to: 'post',
      connectivity: { type: 'fixed-indegree' as const, C: 15 },
      weight: 1.0,
      delay: dt,
      filter,
      stp: { model: 'three-state', U, tauIn: 0.004, tauRec: 0.4 },
      heterogeneity: { tauIn: { distribution: 'lognormal', cv: 0.5 }, weight: { distribution: 'lognormal', cv: 0.3 } },
    });
    const r = await sameInEverySchedule('per-synapse y', { src: poisson(30, 40), post: glif(20, 11) }, [
      synY({ type: 'delta' }, 0.5),
      synY({ type: 'exponential', tau: 0.01 }, 0.3),
      synY({ type: 'alpha', tau: 0.004 }, 0.6),
    ]);
    expect(r.spikes.src.trial.length).toBeGreaterThan(100);
  }, 120_000);
});
