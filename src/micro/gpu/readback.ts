/**
 * Reading a batch back: the spike records, drained after every chunk, and at the end (or at
 * cancellation) everything else that accumulated on the GPU, cut to the completed bins.
 */
import { GpuDeviceError, type GpuContext } from '../../gpu/device';
import { readBuffer } from '../../gpu/buffers';
import { cutBins, type InputRecording, type Recording, type SpikeRecording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import { stpVariables } from '../../compile';
import type { BatchResources } from './allocate';
import { CONTROL, SPIKE_RECORD_CAPACITY, SPIKE_RECORD_WORDS } from './layout';
import type { GpuPlan } from './plan';

/** The spikes of each population read so far: parallel lists of trial (within the batch), neuron and step. */
export type SpikeLog = { trial: number[]; neuron: number[]; step: number[] }[];

export function newSpikeLog(plan: GpuPlan): SpikeLog {
  return plan.populations.map(() => ({ trial: [], neuron: [], step: [] }));
}

/** Moves the chunk's spike records into `log` (the next chunk overwrites them). */
export async function drainSpikes(ctx: GpuContext, b: BatchResources, log: SpikeLog): Promise<void> {
  const count = new Uint32Array(await readBuffer(ctx, b.ctl, 16))[CONTROL.CTL_RECORDED];
  if (count > SPIKE_RECORD_CAPACITY)
    throw new GpuDeviceError(`micro-gpu: ${count} spike records in one chunk exceed the buffer of ${SPIKE_RECORD_CAPACITY} (a bug in the chunk sizing)`);
  if (count === 0) return;
  const W = SPIKE_RECORD_WORDS;
  const rec = new Uint32Array(await readBuffer(ctx, b.spikeRecords, 4 * W * count));
  for (let r = 0; r < count; r++) {
    const d = log[rec[W * r]];
    d.trial.push(rec[W * r + 1]);
    d.neuron.push(rec[W * r + 2]);
    d.step.push(rec[W * r + 3]);
  }
}

/** The batch's recording over `bins` complete bins. */
export async function readRecording(
  ctx: GpuContext,
  plan: GpuPlan,
  scenario: Scenario,
  b: BatchResources,
  log: SpikeLog,
  o: { bins: number; completedSteps: number; cancelled: boolean; wallStart: number },
): Promise<Recording> {
  const { T } = b;
  const { bins } = o;
  const net = plan.net;
  const total = plan.totalBins;
  const binSize = plan.binSteps * net.dt;
  const read32 = async (buffer: GPUBuffer, n: number) => (n > 0 ? await readBuffer(ctx, buffer, 4 * n) : new ArrayBuffer(0));
  const cut = (a: Float32Array, rows: number): Float32Array => cutBins(a, rows, total, bins);
  const activity: Record<string, Float64Array> = {};
  const inputs: Record<string, InputRecording> = {};
  const spikes: Record<string, SpikeRecording> = {};
  for (let p = 0; p < plan.populations.length; p++) {
    const gp = plan.populations[p];
    const pop = b.populations[p];
    const counts = new Uint32Array(await read32(pop.activity, T * total));
    const a = new Float64Array(T * bins);
    const scale = 1 / (gp.plan.N * binSize);
    for (let t = 0; t < T; t++) for (let k = 0; k < bins; k++) a[t * bins + k] = counts[t * total + k] * scale;
    activity[gp.plan.name] = a;
    if (gp.recordInputs > 0) {
      const m = gp.recordInputs;
      const sampled = cut(new Float32Array(await read32(pop.sampled, T * m * total)), T * m);
      const mean = gp.recordMean ? cut(new Float32Array(await read32(pop.mean, T * total)), T) : new Float32Array(T * bins);
      inputs[gp.plan.name] = { neurons: Int32Array.from({ length: m }, (_, i) => i), sampled, populationMean: mean };
    }
    if (scenario.record.spikes.some((r) => r.population === gp.plan.name)) spikes[gp.plan.name] = sortSpikes(log[p], gp.recordSpikes, net.dt);
  }
  const stp: Record<string, Record<string, Float32Array>> = {};
  for (let q = 0; q < plan.projections.length; q++) {
    const gq = plan.projections[q];
    const proj = b.projections[q];
    if (!proj.recordStp) continue;
    const all = new Float32Array(await read32(proj.recordedStp, gq.stpVars * T * total));
    const vars: Record<string, Float32Array> = {};
    stpVariables(gq.plan.stpModel).forEach((name, v) => {
      vars[name] = cut(all.subarray(v * T * total, (v + 1) * T * total), T);
    });
    stp[gq.plan.name] = vars;
  }
  return {
    level: 'micro-gpu',
    scenario,
    trials: T,
    dt: net.dt,
    steps: net.steps,
    completedSteps: o.completedSteps,
    cancelled: o.cancelled,
    binSize,
    bins,
    activity,
    inputs,
    stp,
    spikes,
    wallSeconds: (performance.now() - o.wallStart) / 1000,
    engine: { trialRange: [b.from, b.from + T] },
  };
}

/** Spike records in the CPU engine's order: by trial, then time, then neuron. */
function sortSpikes(d: SpikeLog[number], m: number, dt: number): SpikeRecording {
  const order = Array.from({ length: d.trial.length }, (_, i) => i);
  order.sort((a, b) => d.trial[a] - d.trial[b] || d.step[a] - d.step[b] || d.neuron[a] - d.neuron[b]);
  return {
    neurons: Int32Array.from({ length: m }, (_, i) => i),
    trial: Int32Array.from(order, (i) => d.trial[i]),
    neuron: Int32Array.from(order, (i) => d.neuron[i]),
    time: Float64Array.from(order, (i) => d.step[i] * dt),
  };
}
