/** Steps 1–2 for one projection: the ring slot of step n into the filter and the input sums (projectionInput.wgsl). */
import { GRID_WGSL, wgslStruct } from '../../../gpu/wgsl';
import { ACC, PROJECTION_INPUT } from '../layout';
import type { GpuProjection } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup } from './kernel';
import { ENGINE_WGSL } from './library';
import code from './projectionInput.wgsl?raw';

export const InputParams = wgslStruct('InputParams', {
  /** T · nPost. */
  slotLen: 'u32',
  /** delay + 1. */
  slots: 'u32',
  /** A blocked delta conductance: its acc row (ACC_BLOCKED + k). */
  pulseRow: 'u32',
  /** 1 / fixed-point scale. */
  invScale: 'f32',
  /** τm (integral normalisation) or 1 (peak). */
  outScale: 'f32',
  E: 'f32',
  mg: 'f32',
  rest: 'f32',
  /**
   * run.integration 'exact' (EXACT): the current the membrane holds, Σ_j coupling_j·stage_j
   * (compile/filter.ts exactInputCoupling); unused otherwise.
   */
  coupling: 'vec4<f32>',
  /** Rows of the lower-triangular step propagator, stage 0 kicked, stage STAGES − 1 the output. */
  p0: 'vec4<f32>',
  p1: 'vec4<f32>',
  p2: 'vec4<f32>',
});

export const projectionInput = defineKernel({
  name: 'projectionInput',
  params: InputParams,
  bindings: ['ctl', 'ring', 'stages', 'state', 'refr', 'acc'],
  entryPoints: ['main'],
  parts: [GRID_WGSL, ...ENGINE_WGSL, InputParams.part, { name: 'kernels/projectionInput.wgsl', code }],
});

/** A stage coupling as the uniform's vec4 (zeros beyond the stages; none: zeros). */
function couplingVec4(c: Float64Array | null): Float32Array {
  const v = new Float32Array(4);
  if (c) v.set(c);
  return v;
}

export function projectionInputDispatch(
  setup: KernelSetup,
  gq: GpuProjection,
  buffers: Record<(typeof projectionInput.bindings)[number], GPUBuffer>,
): Promise<Dispatch> {
  const pr = gq.plan;
  const post = setup.plan.populations[pr.post].plan;
  const delta = gq.input === PROJECTION_INPUT.INPUT_DELTA;
  const slotLen = setup.T * pr.nPost;
  const P = gq.propagator;
  const params = setup.uniform(
    InputParams,
    {
      slotLen,
      slots: pr.delaySteps + 1,
      pulseRow: delta && pr.conductance && pr.mg > 0 ? ACC.ACC_BLOCKED + post.blockedPulses.indexOf(pr.index) : 0,
      invScale: 1 / gq.fixedPoint.scale,
      outScale: pr.outScale,
      E: pr.E,
      mg: pr.mg,
      rest: post.restPotential,
      coupling: couplingVec4(pr.inputCoupling),
      p0: P.subarray(0, 4),
      p1: P.subarray(4, 8),
      p2: P.subarray(8, 12),
    },
    `${pr.name} input parameters`,
  );
  return prepareDispatch(setup, projectionInput, {
    params,
    buffers,
    label: `${pr.name} input`,
    constants: {
      INPUT: gq.input,
      STAGES: gq.stages,
      CONDUCTANCE: pr.conductance,
      MG_BLOCK: pr.mg > 0,
      DEFERRED: delta && post.pulseInput,
      EXACT: pr.inputCoupling !== null,
    },
    grid: setup.grid(slotLen),
  });
}
