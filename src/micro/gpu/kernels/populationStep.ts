/** Step 3 for one population: neurons, the spike draw, spike lists and records (populationStep.wgsl). */
import { GRID_WGSL, PHILOX_WGSL, wgslConstants, wgslStruct } from '../../../gpu/wgsl';
import { POISSON_EVENTS_MAX_K, POISSON_EVENTS_WORD } from '../../../rng/poissonEvents';
import { Purpose, purposeWord } from '../../../rng/streams';
import { SPIKE_RECORD_CAPACITY } from '../layout';
import type { GpuPopulation } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup } from './kernel';
import { ENGINE_WGSL } from './library';
import code from './populationStep.wgsl?raw';
import spikeDrawCode from './spikeDraw.wgsl?raw';

export const PopParams = wgslStruct('PopParams', {
  N: 'u32',
  T: 'u32',
  trialFrom: 'u32',
  pop: 'u32',
  seed: 'u32',
  spikeWord: 'u32',
  /** The event scheme's counter word (purpose poissonEvents). */
  eventWord: 'u32',
  refSteps: 'u32',
  binSteps: 'u32',
  totalBins: 'u32',
  /** The first m neurons whose input is recorded, and those whose spikes are. */
  recordInputs: 'u32',
  recordSpikes: 'u32',
  spikeCap: 'u32',
  driveOffset: 'u32',
  popCount: 'u32',
  dt: 'f32',
  tauM: 'f32',
  decayM: 'f32',
  uReset: 'f32',
  uTh: 'f32',
  c: 'f32',
  invDeltaU: 'f32',
  /** τm/dt: a delta kick as the input that moves V by the same amount. */
  deltaToInput: 'f32',
  adaptDecay: 'vec4<f32>',
  adaptKick: 'vec4<f32>',
});

export const populationStep = defineKernel({
  name: 'populationStep',
  params: PopParams,
  bindings: ['ctl', 'state', 'refr', 'acc', 'spikes', 'activity', 'sampled', 'spikeRec'],
  entryPoints: ['main'],
  parts: [
    PHILOX_WGSL,
    GRID_WGSL,
    ...ENGINE_WGSL,
    wgslConstants('the event scheme (src/rng/poissonEvents.ts)', { POISSON_EVENTS_MAX_K }),
    PopParams.part,
    { name: 'kernels/spikeDraw.wgsl', code: spikeDrawCode },
    { name: 'kernels/populationStep.wgsl', code },
  ],
});

type Buffers = Record<(typeof populationStep.bindings)[number], GPUBuffer>;

/** One invocation per trial and Philox block of four neurons; per trial under the event scheme. */
export function populationStepDispatch(setup: KernelSetup, gp: GpuPopulation, buffers: Buffers): Promise<Dispatch> {
  const { plan, T } = setup;
  const p = gp.plan;
  const adaptDecay = [0, 0, 0, 0];
  const adaptKick = [0, 0, 0, 0];
  for (let q = 0; q < gp.K; q++) {
    adaptDecay[q] = p.adaptDecay[q];
    adaptKick[q] = p.adaptKick[q];
  }
  const dt = plan.net.dt;
  const params = setup.uniform(
    PopParams,
    {
      N: p.N,
      T,
      trialFrom: setup.from,
      pop: p.index,
      seed: setup.seed,
      spikeWord: purposeWord(Purpose.spike),
      eventWord: POISSON_EVENTS_WORD,
      refSteps: p.refSteps,
      binSteps: plan.binSteps,
      totalBins: plan.totalBins,
      recordInputs: gp.recordInputs,
      recordSpikes: gp.recordSpikes,
      spikeCap: SPIKE_RECORD_CAPACITY,
      driveOffset: setup.driveOffset,
      popCount: plan.populations.length,
      dt,
      tauM: p.tauM,
      decayM: p.decayM,
      uReset: p.uReset,
      uTh: p.uTh,
      c: p.c,
      invDeltaU: 1 / p.deltaU,
      deltaToInput: p.tauM / dt,
      adaptDecay,
      adaptKick,
    },
    `${p.name} parameters`,
  );
  return prepareDispatch(setup, populationStep, {
    params,
    buffers,
    label: p.name,
    constants: { MODEL: p.model, K_ADAPT: gp.K, HAS_INPUT: gp.hasInput, RECORD_MEAN: gp.recordMean, EVENTS: p.poissonEvents },
    grid: setup.grid(p.poissonEvents ? T : T * Math.ceil(p.N / 4)),
  });
}
