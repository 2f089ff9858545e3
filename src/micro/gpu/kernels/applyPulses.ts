/** Conductance pulses and kicks of a step applied together, once every delta delivery is in (applyPulses.wgsl). */
import { GRID_WGSL, wgslStruct } from '../../../gpu/wgsl';
import type { GpuPopulation } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup } from './kernel';
import { ENGINE_WGSL, PULSE_JUMP_WGSL } from './library';
import code from './applyPulses.wgsl?raw';

export const PulseParams = wgslStruct('PulseParams', {
  TN: 'u32',
  /** The resting potential: the NMDA block reads the absolute potential. */
  rest: 'f32',
  /** Reversal potential and [Mg²⁺] of each blocked pulse projection (≤ 4). */
  E: 'vec4<f32>',
  mg: 'vec4<f32>',
});

export const applyPulses = defineKernel({
  name: 'applyPulses',
  params: PulseParams,
  bindings: ['state', 'refr', 'acc'],
  entryPoints: ['main'],
  parts: [GRID_WGSL, ...ENGINE_WGSL, PULSE_JUMP_WGSL, PulseParams.part, { name: 'kernels/applyPulses.wgsl', code }],
});

export function applyPulsesDispatch(setup: KernelSetup, gp: GpuPopulation, buffers: Record<'state' | 'refr' | 'acc', GPUBuffer>): Promise<Dispatch> {
  const p = gp.plan;
  const TN = setup.T * p.N;
  const E = [0, 0, 0, 0];
  const mg = [0, 0, 0, 0];
  p.blockedPulses.forEach((_, k) => {
    E[k] = p.blockedPulseE[k];
    mg[k] = p.blockedPulseMg[k];
  });
  return prepareDispatch(setup, applyPulses, {
    params: setup.uniform(PulseParams, { TN, rest: p.restPotential, E, mg }, `${p.name} pulse parameters`),
    buffers,
    label: `${p.name} pulses`,
    constants: { BLOCKED: p.blockedPulses.length },
    grid: setup.grid(TN),
  });
}
