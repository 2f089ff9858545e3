/**
 * The per-step dispatch schedule (docs/gpu-engine.md, "One step, in dispatches"): deliveries of
 * delta projections, conductance pulses, the other projections' input, the populations' step,
 * spike arguments, propagation, recording, step end. Many steps go into one submission (a chunk).
 */
import type { GpuContext } from '../../gpu/device';
import { timeFunctionAt } from '../../model/timeFunction';
import { NEURON_POISSON } from '../../compile';
import type { BatchResources } from './allocate';
import { encodeDispatch } from './kernels/kernel';
import { CONTROL } from './layout';
import type { GpuPlan } from './plan';

/**
 * The chunk's header in the control buffer: the step counter, the chunk's first step, and each
 * population's drive μ(t_n) (a Poisson population's spike probability 1 − e^{−r dt}, in float64).
 */
function writeChunkHeader(ctx: GpuContext, plan: GpuPlan, b: BatchResources, n0: number, n1: number): void {
  const net = plan.net;
  const P = plan.populations.length;
  const L = n1 - n0;
  const header = new Uint32Array(b.driveOffset + L * P);
  header[CONTROL.CTL_STEP] = n0;
  header[CONTROL.CTL_CHUNK_START] = n0;
  const drive = new Float32Array(header.buffer, 4 * b.driveOffset, L * P);
  for (let k = 0; k < L; k++) {
    for (let p = 0; p < P; p++) {
      const pop = net.populations[p];
      const v = timeFunctionAt(pop.drive, n0 + k, net.dt);
      drive[k * P + p] = pop.model === NEURON_POISSON ? -Math.expm1(-v * net.dt) : v;
    }
  }
  ctx.device.queue.writeBuffer(b.ctl, 0, header);
}

/** Steps [n0, n1) on one compute pass, in the order of docs/step-semantics.md. */
function encodeSteps(pass: GPUComputePassEncoder, plan: GpuPlan, b: BatchResources, n0: number, n1: number): void {
  const recordedSteps = plan.totalBins * plan.binSteps;
  const pulses = () => {
    for (const pop of b.populations) if (pop.pulses) encodeDispatch(pass, pop.pulses);
  };
  for (let n = n0; n < n1; n++) {
    for (const q of plan.inputOrder) {
      // Delta deliveries come first in inputOrder; conductance pulses act once all of them are in.
      if (q === plan.firstFilterInput) pulses();
      encodeDispatch(pass, b.projections[q].input);
    }
    if (plan.firstFilterInput < 0) pulses();
    for (const pop of b.populations) encodeDispatch(pass, pop.step);
    if (b.projections.length > 0) {
      encodeDispatch(pass, b.spikeArgs);
      for (const proj of b.projections) for (const d of proj.propagation) encodeDispatch(pass, d);
    }
    if (n < recordedSteps) {
      for (const pop of b.populations) if (pop.recordMean) encodeDispatch(pass, pop.recordMean);
      if ((n + 1) % plan.binSteps === 0) {
        for (const proj of b.projections) if (proj.recordStp) encodeDispatch(pass, proj.recordStp);
      }
    }
    encodeDispatch(pass, b.stepEnd);
  }
}

/** Records steps [n0, n1) into one submission and waits for the GPU. */
export async function runChunk(ctx: GpuContext, plan: GpuPlan, b: BatchResources, n0: number, n1: number): Promise<void> {
  writeChunkHeader(ctx, plan, b, n0, n1);
  const encoder = ctx.device.createCommandEncoder({ label: `micro-gpu steps ${n0}–${n1}` });
  const pass = encoder.beginComputePass({ label: 'micro-gpu steps' });
  encodeSteps(pass, plan, b, n0, n1);
  pass.end();
  await ctx.checked(`micro-gpu steps ${n0}–${n1}`, async () => {
    ctx.device.queue.submit([encoder.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
  });
}
