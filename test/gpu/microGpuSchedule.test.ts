/**
 * Which schedule a batch gets (src/micro/gpu/resident.ts chooseSchedule) and how the fused
 * schedule spreads a trial over lanes (src/micro/gpu/fused.ts fusedLanes). No device needed.
 */
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../src/compile';
import { ScenarioSchema } from '../../src/model/scenario';
import { planGpu } from '../../src/micro/gpu/plan';
import {
  chooseSchedule,
  FUSED_MAX_BLOCKS_PER_LANE,
  RESIDENT_MAX_NEURONS,
  RESIDENT_SOFTWARE_MAX_TRIALS,
  scheduleUnsupported,
} from '../../src/micro/gpu/resident';
import { fusedLanes } from '../../src/micro/gpu/fused';

function plan(N: number, extra: Record<string, unknown> = {}) {
  const s = ScenarioSchema.parse({
    name: 'schedule',
    populations: {
      src: { model: 'poisson', N: 100, rate: { type: 'constant', value: 10 } },
      E: { model: 'glif', N, tauM: 0.02, mu: { type: 'constant', value: 10 }, uReset: 0, tRef: 0.002, c: 10, deltaU: 2, uTh: 15 },
    },
    projections: [
      {
        from: 'src',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 0.5,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.2, tauF: 0.1 },
        ...extra,
      },
    ],
    run: { dt: 0.0005, duration: 0.01 },
  });
  return planGpu(compileNetwork(s, { engine: 'micro-gpu', proceduralWithoutCsr: true }), s, 1);
}

describe('the step schedule of a batch', () => {
  const small = plan(50);
  const large = plan(RESIDENT_MAX_NEURONS);
  const pulses = plan(50, { filter: { type: 'delta' }, output: { type: 'conductance', E: 0 } });
  const kinetic = plan(50, { filter: { type: 'kinetic', receptor: 'AMPA' }, output: { type: 'conductance', E: 0 } });
  const synY = plan(50, { stp: { model: 'three-state', U: 0.5, tauIn: 0.004, tauRec: 0.4 }, heterogeneity: { tauIn: { distribution: 'lognormal', cv: 0.5 } } });
  const conductance = plan(50, { output: { type: 'conductance', E: 0 } });
  const perSynapse = plan(50, { heterogeneity: { tauD: { distribution: 'lognormal', cv: 0.2 } } });
  const procedural = (N: number, perTrial = false) => plan(N, { connectivity: { type: 'fixed-probability', p: 0.1, perTrial }, storage: 'procedural' });
  const perTrialExplicit = plan(50, { connectivity: { type: 'fixed-indegree', C: 10, perTrial: true } });

  it('auto: resident where a trial fits a workgroup (on a software adapter only for small batches), else fused, else general', () => {
    expect(chooseSchedule(small, 1000, false, 'auto')).toBe('resident');
    expect(chooseSchedule(small, RESIDENT_SOFTWARE_MAX_TRIALS, true, 'auto')).toBe('resident');
    expect(chooseSchedule(small, RESIDENT_SOFTWARE_MAX_TRIALS + 1, true, 'auto')).toBe('fused');
    expect(chooseSchedule(large, 1, false, 'auto')).toBe('fused');
    // A GPU's fused lanes (4096 over the batch) would step more than FUSED_MAX_BLOCKS_PER_LANE blocks each.
    const huge = plan(4 * FUSED_MAX_BLOCKS_PER_LANE * 1024 + 4);
    expect(chooseSchedule(huge, 1, false, 'auto')).toBe('general');
    expect(chooseSchedule(huge, 1, true, 'auto')).toBe('fused');
    expect(chooseSchedule(plan(4 * FUSED_MAX_BLOCKS_PER_LANE * 1024), 1, false, 'auto')).toBe('fused');
    expect(chooseSchedule(pulses, 1, false, 'auto')).toBe('resident');
    expect(chooseSchedule(pulses, RESIDENT_SOFTWARE_MAX_TRIALS + 1, true, 'auto')).toBe('fused');
    // Every network kind runs from the arenas: conductance pulses, kinetic receptors, per-synapse filters.
    expect(chooseSchedule(kinetic, 1, false, 'auto')).toBe('resident');
    expect(chooseSchedule(synY, 1, false, 'auto')).toBe('resident');
    expect(chooseSchedule(synY, RESIDENT_SOFTWARE_MAX_TRIALS + 1, true, 'auto')).toBe('fused');
    expect(chooseSchedule(conductance, 1, false, 'auto')).toBe('resident');
    expect(chooseSchedule(perSynapse, 1, false, 'auto')).toBe('resident');
    // Every connectivity: procedural rows regenerated, shared or drawn per trial, and explicit networks drawn per trial.
    expect(chooseSchedule(procedural(50), 1, true, 'auto')).toBe('resident');
    expect(chooseSchedule(procedural(50, true), 1, false, 'auto')).toBe('resident');
    expect(chooseSchedule(procedural(RESIDENT_MAX_NEURONS), 1, true, 'auto')).toBe('fused');
    expect(chooseSchedule(perTrialExplicit, 1, false, 'auto')).toBe('resident');
  });

  it('a forced mode is kept, and what it cannot run is said', () => {
    expect(chooseSchedule(small, 1, true, 'general')).toBe('general');
    expect(scheduleUnsupported(large, 'resident')).toMatch(/2148 neurons, more than the 2048/);
    expect(scheduleUnsupported(large, 'fused')).toBeNull();
    for (const kind of [pulses, kinetic, synY]) {
      expect(scheduleUnsupported(kind, 'fused')).toBeNull();
      expect(scheduleUnsupported(kind, 'resident')).toBeNull();
    }
    expect(scheduleUnsupported(procedural(RESIDENT_MAX_NEURONS), 'fused')).toBeNull();
    expect(scheduleUnsupported(perTrialExplicit, 'resident')).toBeNull();
  });
});

describe('fused lanes per trial', () => {
  it('fill 4096 lanes on a GPU, 256 on a software adapter, one per trial when the batch is wider, never more than 1024', () => {
    expect(fusedLanes(1, false)).toBe(1024);
    expect(fusedLanes(3, false)).toBe(1024);
    expect(fusedLanes(5, false)).toBe(512);
    expect(fusedLanes(1024, false)).toBe(4);
    expect(fusedLanes(100000, false)).toBe(1);
    expect(fusedLanes(1, true)).toBe(256);
    expect(fusedLanes(100, true)).toBe(2);
    expect(fusedLanes(1024, true)).toBe(1);
  });
});
