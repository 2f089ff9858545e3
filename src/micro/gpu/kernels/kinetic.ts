/** Kinetic receptor gates in presynaptic time: pulses started at spikes, step means into the ring (kinetic.wgsl). */
import { GRID_WGSL, wgslStruct } from '../../../gpu/wgsl';
import { stpParamValues, type GpuProjection } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup, SPIKE_SIDE_FIELDS, spikeSideValues, stpConstants } from './kernel';
import { ENGINE_WGSL, KINETIC_GATE_WGSL, STP_PARAMS_WGSL, STP_STATE_WGSL, STP_WGSL, StpParams } from './library';
import { spikeArgsOffset } from './spikeArgs';
import code from './kinetic.wgsl?raw';

export const KineticParams = wgslStruct('KineticParams', {
  ...SPIKE_SIDE_FIELDS,
  /** T·nPre or T·nSyn. */
  nGates: 'u32',
  /** connectivity.perTrial: each trial's CSR block; 0: shared. */
  csrStride: 'u32',
  /** J·(fixed-point scale). */
  scaledWeight: 'f32',
  /** The fixed-point scale (times J_s for heterogeneous weights). */
  scale: 'f32',
  dt: 'f32',
  alpha: 'f32',
  beta: 'f32',
  Tmax: 'f32',
  pulseDuration: 'f32',
  stp: StpParams,
});

export const kinetic = defineKernel({
  name: 'kinetic',
  params: KineticParams,
  bindings: ['ctl', 'spikes', 'ring', 'csr', 'syn', 'stp', 'last', 'gates'],
  entryPoints: ['on_spike', 'advance'],
  parts: [
    GRID_WGSL,
    ...ENGINE_WGSL,
    KINETIC_GATE_WGSL,
    ...STP_WGSL,
    KineticParams.part,
    STP_STATE_WGSL,
    STP_PARAMS_WGSL,
    { name: 'kernels/kinetic.wgsl', code },
  ],
});

type Buffers = Record<(typeof kinetic.bindings)[number], GPUBuffer>;

/** on_spike (indirect, one invocation per spike) then advance (one per gate). */
export async function kineticDispatches(setup: KernelSetup, gq: GpuProjection, csrStride: number, b: Buffers): Promise<Dispatch[]> {
  const pr = gq.plan;
  const kin = pr.kinetic!;
  const nGates = setup.T * gq.gates;
  const params = setup.uniform(
    KineticParams,
    {
      ...spikeSideValues(setup, gq),
      nGates,
      csrStride,
      scaledWeight: pr.weight * gq.fixedPoint.scale,
      scale: gq.fixedPoint.scale,
      dt: setup.plan.net.dt,
      alpha: kin.alpha,
      beta: kin.beta,
      Tmax: kin.Tmax,
      pulseDuration: kin.pulseDuration,
      stp: stpParamValues(pr),
    },
    `${pr.name} receptor parameters`,
  );
  const constants = stpConstants(gq);
  // on_spike does not touch the ring, advance neither the spikes nor the STP state.
  return [
    await prepareDispatch(setup, kinetic, {
      params,
      buffers: { ctl: b.ctl, spikes: b.spikes, csr: b.csr, syn: b.syn, stp: b.stp, last: b.last, gates: b.gates },
      label: `${pr.name} receptor spikes`,
      constants,
      entryPoint: 'on_spike',
      indirect: { buffer: setup.args, offset: spikeArgsOffset(pr.pre, true) },
    }),
    await prepareDispatch(setup, kinetic, {
      params,
      buffers: { ctl: b.ctl, ring: b.ring, csr: b.csr, syn: b.syn, gates: b.gates },
      label: `${pr.name} receptor gates`,
      constants,
      entryPoint: 'advance',
      grid: setup.grid(nGates),
    }),
  ];
}
