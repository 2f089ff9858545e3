/**
 * The per-step dispatch schedule (docs/gpu-engine.md, "One step, in dispatches"): deliveries of
 * delta projections, conductance pulses, the other projections' input, the populations' step,
 * spike arguments, propagation, recording, step end. Many steps go into one submission (a chunk).
 */
import type { GpuContext } from '../../gpu/device';
import { timeFunctionAt } from '../../model/timeFunction';
import { NEURON_POISSON } from '../../compile';
import { POISSON_EVENTS_MAX_K, poissonStepProbability } from '../../rng/poissonEvents';
import type { BatchResources } from './allocate';
import { encodeDispatch, type Dispatch } from './kernels/kernel';
import { CONTROL } from './layout';
import { encodeResidentChunk } from './resident';
import { encodeFusedSteps } from './fused';
import { encodeCopyOut } from './arenas';
import type { GpuPlan } from './plan';

/**
 * Words of the control buffer for chunks of up to `chunkSteps` steps: the header, each
 * population's drive per step, then room for one CDF table per step of every event-scheme
 * Poisson population (a time-varying rate may need a new one each step).
 */
export function controlWords(plan: GpuPlan, driveOffset: number, chunkSteps: number): number {
  const events = plan.populations.filter((p) => p.plan.poissonEvents).length;
  return driveOffset + chunkSteps * (plan.populations.length + events * (1 + POISSON_EVENTS_MAX_K));
}

/**
 * The chunk's header in the control buffer: the step counter, the chunk's first step, and each
 * population's drive μ(t_n) per step: a Poisson population's spike probability 1 − e^{−r dt}
 * (computed in float64), or under the event scheme the offset of that probability's CDF table,
 * [length, F(0), F(1), …], written after the drives (consecutive steps with the same
 * probability share one).
 */
function writeChunkHeader(ctx: GpuContext, plan: GpuPlan, b: BatchResources, n0: number, n1: number): void {
  const net = plan.net;
  const P = plan.populations.length;
  const L = n1 - n0;
  const header = new Uint32Array(controlWords(plan, b.driveOffset, L));
  const asFloat = new Float32Array(header.buffer);
  header[CONTROL.CTL_STEP] = n0;
  header[CONTROL.CTL_CHUNK_START] = n0;
  header[CONTROL.CTL_CHUNK_STEPS] = L;
  let free = b.driveOffset + L * P;
  for (let p = 0; p < P; p++) {
    const pop = net.populations[p];
    const tables = pop.poissonEvents ? b.poissonTables[p] : null;
    let lastP = Number.NaN;
    let lastOffset = 0;
    for (let k = 0; k < L; k++) {
      const v = timeFunctionAt(pop.drive, n0 + k, net.dt);
      const slot = b.driveOffset + k * P + p;
      if (pop.model !== NEURON_POISSON) asFloat[slot] = v;
      else if (!tables) asFloat[slot] = poissonStepProbability(v, net.dt);
      else {
        const prob = poissonStepProbability(v, net.dt);
        if (prob !== lastP) {
          const table = tables.forProbability(prob);
          lastP = prob;
          lastOffset = free;
          header[free] = table.length;
          asFloat.set(table, free + 1);
          free += 1 + table.length;
        }
        header[slot] = lastOffset;
      }
    }
  }
  ctx.device.queue.writeBuffer(b.ctl, 0, header, 0, free);
}

/** Steps [n0, n1) on one compute pass, in the order of docs/step-semantics.md; returns the dispatches encoded. */
function encodeSteps(pass: GPUComputePassEncoder, plan: GpuPlan, b: BatchResources, n0: number, n1: number): number {
  const recordedSteps = plan.totalBins * plan.binSteps;
  let dispatches = 0;
  const encode = (d: Dispatch) => {
    encodeDispatch(pass, d);
    dispatches++;
  };
  const pulses = () => {
    for (const pop of b.populations) if (pop.pulses) encode(pop.pulses);
  };
  for (let n = n0; n < n1; n++) {
    for (const q of plan.inputOrder) {
      // Delta deliveries come first in inputOrder; conductance pulses act once all of them are in.
      if (q === plan.firstFilterInput) pulses();
      encode(b.projections[q].input);
    }
    if (plan.firstFilterInput < 0) pulses();
    for (const pop of b.populations) encode(pop.step);
    if (b.projections.length > 0) {
      encode(b.spikeArgs);
      for (const proj of b.projections) for (const d of proj.propagation) encode(d);
    }
    if (n < recordedSteps) {
      for (const pop of b.populations) if (pop.recordMean) encode(pop.recordMean);
      if ((n + 1) % plan.binSteps === 0) {
        for (const proj of b.projections) if (proj.recordStp) encode(proj.recordStp);
      }
    }
    encode(b.stepEnd);
  }
  return dispatches;
}

/**
 * Records steps [n0, n1) into one submission and waits for the GPU; returns the dispatches it
 * took. A resident batch runs the whole chunk in one dispatch (resident.ts), a fused batch two or
 * three per step (fused.ts).
 */
export async function runChunk(ctx: GpuContext, plan: GpuPlan, b: BatchResources, n0: number, n1: number): Promise<number> {
  writeChunkHeader(ctx, plan, b, n0, n1);
  const encoder = ctx.device.createCommandEncoder({ label: `micro-gpu steps ${n0}–${n1}` });
  let dispatches = 1;
  if (b.resident) encodeResidentChunk(ctx, encoder, b.resident);
  else if (b.fused) {
    const pass = encoder.beginComputePass({ label: 'micro-gpu fused steps' });
    dispatches = encodeFusedSteps(pass, plan, b.fused, n0, n1);
    pass.end();
    encodeCopyOut(encoder, b.fused.arenas);
  } else {
    const pass = encoder.beginComputePass({ label: 'micro-gpu steps' });
    dispatches = encodeSteps(pass, plan, b, n0, n1);
    pass.end();
  }
  await ctx.checked(`micro-gpu steps ${n0}–${n1}`, async () => {
    await b.waiter.submit([encoder.finish()], n1 - n0);
  });
  return dispatches;
}
