/** Step 4 for a projection with procedural connectivity: targets regenerated from Philox at each spike (propagateProcedural.wgsl). */
import { GRID_WGSL, PHILOX_WGSL, wgslStruct } from '../../../gpu/wgsl';
import { Purpose, purposeWord } from '../../../rng/streams';
import { stpParamValues, type GpuProjection } from '../plan';
import type { ProceduralRows } from '../procedural';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup } from './kernel';
import { ENGINE_WGSL, STP_STATE_WGSL, STP_WGSL, StpParams } from './library';
import { THREAD_ROW_MAX } from './propagate';
import { spikeArgsOffset } from './spikeArgs';
import code from './propagateProcedural.wgsl?raw';

export const ProcParams = wgslStruct('ProcParams', {
  nPre: 'u32',
  nPost: 'u32',
  T: 'u32',
  slots: 'u32',
  delay: 'u32',
  spikePop: 'u32',
  nState: 'u32',
  noSelf: 'u32',
  candidates: 'u32',
  segment: 'u32',
  seed: 'u32',
  stream: 'u32',
  /** purposeWord(connectivity). */
  purpose: 'u32',
  /** 1: every trial draws its own network (trial in the counter). */
  perTrial: 'u32',
  trialFrom: 'u32',
  scaledWeight: 'f32',
  /** ln(1 − p). */
  logQ: 'f32',
  dt: 'f32',
  stp: StpParams,
});

export const propagateProcedural = defineKernel({
  name: 'propagateProcedural',
  params: ProcParams,
  bindings: ['ctl', 'spikes', 'ring', 'stp', 'last'],
  entryPoints: ['main', 'main_thread'],
  parts: [PHILOX_WGSL, GRID_WGSL, ...ENGINE_WGSL, ...STP_WGSL, ProcParams.part, STP_STATE_WGSL, { name: 'kernels/propagateProcedural.wgsl', code }],
});

export function propagateProceduralDispatch(
  setup: KernelSetup,
  gq: GpuProjection,
  gen: ProceduralRows,
  buffers: Record<(typeof propagateProcedural.bindings)[number], GPUBuffer>,
): Promise<Dispatch> {
  const pr = gq.plan;
  const rowThread = gen.meanRow <= THREAD_ROW_MAX;
  const params = setup.uniform(
    ProcParams,
    {
      nPre: pr.nPre,
      nPost: pr.nPost,
      T: setup.T,
      slots: pr.delaySteps + 1,
      delay: pr.delaySteps,
      spikePop: pr.pre,
      nState: Math.max(1, setup.T * gq.stpEntries),
      noSelf: gen.noSelf ? 1 : 0,
      candidates: gen.candidates,
      segment: gen.segment,
      seed: setup.seed,
      stream: pr.index,
      purpose: purposeWord(Purpose.connectivity),
      perTrial: pr.perTrial ? 1 : 0,
      trialFrom: setup.from,
      scaledWeight: pr.weight * pr.kickScale * gq.fixedPoint.scale,
      logQ: gen.allToAll ? 0 : Math.log1p(-gen.p),
      dt: setup.plan.net.dt,
      stp: stpParamValues(pr),
    },
    `${pr.name} procedural propagation parameters`,
  );
  return prepareDispatch(setup, propagateProcedural, {
    params,
    buffers,
    label: `${pr.name} procedural propagation`,
    constants: { ALL_TO_ALL: gen.allToAll, STP: pr.stpModel },
    entryPoint: rowThread ? 'main_thread' : 'main',
    indirect: { buffer: setup.args, offset: spikeArgsOffset(pr.pre, rowThread) },
  });
}
