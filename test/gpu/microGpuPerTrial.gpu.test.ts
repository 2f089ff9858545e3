/**
 * Networks drawn per trial (connectivity.perTrial) in every schedule: the fused and resident
 * kernels read each trial's CSR block at the stride the plan fixes before any trial is drawn, so
 * they run the CPU engine's per-trial networks batch after batch with the general schedule's
 * numbers; a batch that draws beyond that layout takes the general schedule.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { expectSameRun } from '../support/sameRun';
import { glif } from '../support/populations';
import { compileNetwork } from '../../src/compile';
import { simulateMicroCpu } from '../../src/micro/cpu';
import { simulateMicroGpu } from '../../src/micro/gpu';
import { allocateBatch } from '../../src/micro/gpu/allocate';
import { MicroKernels } from '../../src/micro/gpu/kernels/kernel';
import { spikeItems } from '../../src/micro/gpu/kernels/fused';
import { planGpu } from '../../src/micro/gpu/plan';
import type { Scenario } from '../../src/model/scenario';
import { scenario } from '../unit/microCpu/support';

const dt = 5e-4;

function planOf(s: Scenario) {
  return planGpu(compileNetwork(s, { engine: 'micro-gpu', proceduralWithoutCsr: true }), s, 1);
}

/** Fixed in-degree input and recurrent fixed-probability rows of ~45 synapses (split over fused lanes), both drawn per trial. */
const recurrent = (trials: number) =>
  scenario({
    populations: { src: { model: 'poisson', N: 200, rate: { type: 'constant', value: 20 } }, E: glif(150, 11) },
    projections: [
      {
        name: 'in',
        from: 'src',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 30, perTrial: true },
        weight: 0.5,
        delay: 0.001,
        filter: { type: 'delta' },
      },
      {
        name: 'rec',
        from: 'E',
        to: 'E',
        connectivity: { type: 'fixed-probability', p: 0.3, perTrial: true },
        weight: 0.3,
        delay: 0.0015,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.1 },
      },
      { name: 'shared', from: 'src', to: 'E', connectivity: { type: 'fixed-probability', p: 0.05 }, weight: 0.4, delay: 0.0005, filter: { type: 'delta' } },
    ],
    run: { dt, duration: 200 * dt, trials, seed: 17 },
    record: {
      activity: true,
      binSize: dt,
      stp: true,
      inputs: [{ population: 'E', neurons: 40 }],
      spikes: [
        { population: 'src', neurons: 200 },
        { population: 'E', neurons: 150 },
      ],
    },
  });

describe('networks drawn per trial in the fused and resident schedules', () => {
  it("run the CPU engine's per-trial networks, batch after batch, with the general schedule's numbers", async () => {
    const gpu = await testGpu();
    const s = recurrent(3);
    const plan = planOf(s);
    // Rows of the recurrent projection beyond one fused chunk of 32.
    expect(spikeItems({ plan, seed: 0, driveOffset: 0, recordStp: true, offsets: { populations: [], projections: [] } }, 1)).toBeGreaterThan(1);
    const cpu = simulateMicroCpu(s);
    expect(cpu.spikes.E.trial.length).toBeGreaterThan(300);
    const general = await simulateMicroGpu(s, { gpu, chunkSteps: 80, maxTrialsPerBatch: 2, mode: 'general' });
    expect(general.engine.mode).toBe('general');
    expect(general.engine.batches).toBe(2);
    expectSameRun(general, cpu, 'general against micro-cpu');
    for (const mode of ['fused', 'resident'] as const) {
      const r = await simulateMicroGpu(s, { gpu, chunkSteps: 80, maxTrialsPerBatch: 2, mode });
      expect(r.engine.mode).toBe(mode);
      expect(r.engine.batches).toBe(2);
      // Fused: two dispatches per step and the STP means' at every bin's end; resident: one per chunk of each batch.
      if (mode === 'fused') expect(r.engine.dispatchesPerStep).toBe(3);
      else expect(r.engine.dispatchesPerStep).toBeCloseTo(Math.ceil(200 / 80) / 200, 9);
      expectSameRun(r, general, mode);
    }
    // Auto on the software adapter: a batch of two trials runs resident.
    expect((await simulateMicroGpu(s, { gpu, chunkSteps: 80, maxTrialsPerBatch: 2 })).engine.mode).toBe('resident');
  }, 180_000);

  it('a batch that draws a network beyond the per-trial layout runs general under auto, and a forced arena mode says why', async () => {
    const gpu = await testGpu();
    const s = recurrent(2);
    const kernels = new MicroKernels(gpu);
    const allocate = async (plan: ReturnType<typeof planOf>, mode: 'auto' | 'fused' | 'resident') => {
      const batch = await allocateBatch(gpu, kernels, plan, s, 0, 2, 50, mode);
      batch.memory.destroy();
      return batch;
    };
    const within = await allocate(planOf(s), 'auto');
    expect(within.resident).not.toBeNull();
    expect(within.projections.map((q) => q.beyondLayout)).toEqual([null, null, null]);
    // As if the recurrent projection had drawn more synapses than its bound: room for half the expected count.
    const tight = planOf(s);
    const rec = tight.projections[1];
    rec.perTrialCsr = { stride: rec.plan.nPre + 1 + Math.floor(rec.plan.nSyn / 2), longestRow: rec.perTrialCsr!.longestRow };
    const beyond = await allocate(tight, 'auto');
    expect(beyond.resident).toBeNull();
    expect(beyond.fused).toBeNull();
    expect(beyond.projections[1].beyondLayout).toMatch(/^projection "rec" drew a trial network of \d+ synapses with rows up to \d+, beyond the \d+ synapses/);
    // Rows longer than the layout holds (the fused items per spike) are beyond it too.
    const short = planOf(s);
    short.projections[0].perTrialCsr = { ...short.projections[0].perTrialCsr!, longestRow: 1 };
    for (const mode of ['fused', 'resident'] as const) {
      await expect(allocate(short, mode)).rejects.toThrow(
        new RegExp(`the ${mode} mode cannot run this scenario: projection "in" drew a trial network .* rows of 1 its per-trial layout holds`),
      );
    }
  }, 120_000);
});
