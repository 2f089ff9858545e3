/**
 * The micro-gpu kernels (shaders/micro), compiled once per set of override constants: a
 * projection's filter, output and STP model, or a population's neuron model, are pipeline
 * constants, so each pipeline holds only the branch it runs.
 */
import type { GpuContext } from '../../gpu/device';
import { createComputeKernel, type ComputeKernel, type WgslPart } from '../../gpu/wgsl';
import gridLib from '../../../shaders/lib/grid.wgsl?raw';
import philoxLib from '../../../shaders/lib/philox.wgsl?raw';
import commonLib from '../../../shaders/micro/common.wgsl?raw';
import stpLib from '../../../shaders/micro/stp.wgsl?raw';
import stpStateLib from '../../../shaders/micro/stp_state.wgsl?raw';
import stpParamsLib from '../../../shaders/micro/stp_params.wgsl?raw';
import kinetic from '../../../shaders/micro/kinetic.wgsl?raw';
import synY from '../../../shaders/micro/syn_y.wgsl?raw';
import populationStep from '../../../shaders/micro/population_step.wgsl?raw';
import projectionInput from '../../../shaders/micro/projection_input.wgsl?raw';
import propagate from '../../../shaders/micro/propagate.wgsl?raw';
import propagateProcedural from '../../../shaders/micro/propagate_procedural.wgsl?raw';
import spikeArgs from '../../../shaders/micro/spike_args.wgsl?raw';
import stepEnd from '../../../shaders/micro/step_end.wgsl?raw';
import recordInputMean from '../../../shaders/micro/record_input_mean.wgsl?raw';
import recordStp from '../../../shaders/micro/record_stp.wgsl?raw';
import applyPulses from '../../../shaders/micro/apply_pulses.wgsl?raw';

export type MicroKernelName = 'population_step' | 'projection_input' | 'propagate' | 'propagate_procedural' | 'spike_args' | 'step_end' | 'record_input_mean' | 'record_stp' | 'apply_pulses' | 'kinetic' | 'syn_y';

const grid: WgslPart = { name: 'lib/grid.wgsl', code: gridLib };
const philox: WgslPart = { name: 'lib/philox.wgsl', code: philoxLib };
const common: WgslPart = { name: 'micro/common.wgsl', code: commonLib };
const stp: WgslPart = { name: 'micro/stp.wgsl', code: stpLib };
const stpState: WgslPart = { name: 'micro/stp_state.wgsl', code: stpStateLib };
const stpParams: WgslPart = { name: 'micro/stp_params.wgsl', code: stpParamsLib };

const SOURCES: Record<MicroKernelName, WgslPart[]> = {
  population_step: [philox, grid, common, { name: 'micro/population_step.wgsl', code: populationStep }],
  projection_input: [grid, common, { name: 'micro/projection_input.wgsl', code: projectionInput }],
  propagate: [grid, common, stp, stpState, stpParams, { name: 'micro/propagate.wgsl', code: propagate }],
  propagate_procedural: [philox, grid, common, stp, stpState, { name: 'micro/propagate_procedural.wgsl', code: propagateProcedural }],
  spike_args: [common, { name: 'micro/spike_args.wgsl', code: spikeArgs }],
  step_end: [common, { name: 'micro/step_end.wgsl', code: stepEnd }],
  record_input_mean: [grid, common, { name: 'micro/record_input_mean.wgsl', code: recordInputMean }],
  kinetic: [grid, common, stp, stpState, stpParams, { name: 'micro/kinetic.wgsl', code: kinetic }],
  syn_y: [grid, common, stp, stpState, stpParams, { name: 'micro/syn_y.wgsl', code: synY }],
  apply_pulses: [grid, common, { name: 'micro/apply_pulses.wgsl', code: applyPulses }],
  record_stp: [grid, common, stp, stpParams, { name: 'micro/record_stp.wgsl', code: recordStp }],
};

/** Compiles each (kernel, constants) pair once per GPU context. */
export class MicroKernels {
  private readonly cache = new Map<string, Promise<ComputeKernel>>();
  constructor(private readonly ctx: GpuContext) {}

  /** `entryPoint` 'main_thread' picks a kernel's one-invocation-per-item variant (short rows, small sums). */
  get(name: MicroKernelName, constants: Record<string, number | boolean> = {}, entryPoint = 'main'): Promise<ComputeKernel> {
    const numeric: Record<string, number> = {};
    for (const [k, v] of Object.entries(constants)) numeric[k] = typeof v === 'boolean' ? Number(v) : v;
    const key = `${name}:${entryPoint}:${JSON.stringify(numeric)}`;
    let k = this.cache.get(key);
    if (!k) {
      k = createComputeKernel(this.ctx, { label: `micro-gpu ${name}.${entryPoint} ${JSON.stringify(numeric)}`, parts: SOURCES[name], constants: numeric, entryPoint });
      this.cache.set(key, k);
    }
    return k;
  }
}
