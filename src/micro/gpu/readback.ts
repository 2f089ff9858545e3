/**
 * Reading a batch back: the spike records, drained after every chunk, and at the end (or at
 * cancellation) everything else that accumulated on the GPU, cut to the completed bins. Under
 * record.trials 'stats' only the kept trials' arrays and spikes come back, with the statistics
 * the GPU reduced (reduce.ts); otherwise every array, and the statistics are computed from them.
 */
import { GpuDeviceError, type GpuContext } from '../../gpu/device';
import { readBuffer } from '../../gpu/buffers';
import { cutBins, type InputRecording, type Recording, type RecordingStats, type SpikeRecording } from '../../model/recording';
import { keptInRange, statsFromArrays } from '../../model/recordingStats';
import type { Scenario } from '../../model/scenario';
import { meanM2, scaleTrialStats, type TrialStats } from '../../model/trialStats';
import { stpVariables } from '../../compile';
import type { BatchResources } from './allocate';
import { CONTROL, SPIKE_RECORD_CAPACITY, SPIKE_RECORD_WORDS } from './layout';
import type { GpuPlan } from './plan';
import { reduceBatch } from './reduce';

/** The spikes of each population read so far: parallel lists of trial (within the batch), neuron and step. */
export type SpikeLog = { trial: number[]; neuron: number[]; step: number[] }[];

export function newSpikeLog(plan: GpuPlan): SpikeLog {
  return plan.populations.map(() => ({ trial: [], neuron: [], step: [] }));
}

/** Moves the chunk's spike records of the batch's first `keep` trials into `log` (the next chunk overwrites them). */
export async function drainSpikes(ctx: GpuContext, b: BatchResources, log: SpikeLog, keep = b.T): Promise<void> {
  const count = new Uint32Array(await readBuffer(ctx, b.ctl, 16))[CONTROL.CTL_RECORDED];
  if (count > SPIKE_RECORD_CAPACITY)
    throw new GpuDeviceError(`micro-gpu: ${count} spike records in one chunk exceed the buffer of ${SPIKE_RECORD_CAPACITY} (a bug in the chunk sizing)`);
  if (count === 0) return;
  const W = SPIKE_RECORD_WORDS;
  const rec = new Uint32Array(await readBuffer(ctx, b.spikeRecords, 4 * W * count));
  for (let r = 0; r < count; r++) {
    if (rec[W * r + 1] >= keep) continue;
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
  // The kept trials are the batch's first K: a prefix of every per-trial block.
  const K = keptInRange(scenario.record, b.from, b.from + T);
  const read32 = async (buffer: GPUBuffer, n: number, offset = 0) => (n > 0 ? await readBuffer(ctx, buffer, 4 * n, 4 * offset) : new ArrayBuffer(0));
  const cut = (a: Float32Array, rows: number): Float32Array => cutBins(a, rows, total, bins);
  const activity: Record<string, Float64Array> = {};
  const inputs: Record<string, InputRecording> = {};
  const spikes: Record<string, SpikeRecording> = {};
  for (let p = 0; p < plan.populations.length; p++) {
    const gp = plan.populations[p];
    const pop = b.populations[p];
    const counts = new Uint32Array(await read32(pop.activity, K * total));
    const a = new Float64Array(K * bins);
    const scale = 1 / (gp.plan.N * binSize);
    for (let t = 0; t < K; t++) for (let k = 0; k < bins; k++) a[t * bins + k] = counts[t * total + k] * scale;
    activity[gp.plan.name] = a;
    if (gp.recordInputs > 0) {
      const m = gp.recordInputs;
      const sampled = cut(new Float32Array(await read32(pop.sampled, K * m * total)), K * m);
      const mean = gp.recordMean ? cut(new Float32Array(await read32(pop.mean, K * total)), K) : new Float32Array(K * bins);
      inputs[gp.plan.name] = { neurons: Int32Array.from({ length: m }, (_, i) => i), sampled, populationMean: mean };
    }
    if (scenario.record.spikes.some((r) => r.population === gp.plan.name)) spikes[gp.plan.name] = sortSpikes(log[p], gp.recordSpikes, net.dt);
  }
  const stp: Record<string, Record<string, Float32Array>> = {};
  for (let q = 0; q < plan.projections.length; q++) {
    const gq = plan.projections[q];
    const proj = b.projections[q];
    if (!proj.recordStp) continue;
    const vars: Record<string, Float32Array> = {};
    for (const [v, name] of stpVariables(gq.plan.stpModel).entries())
      vars[name] = cut(new Float32Array(await read32(proj.recordedStp, K * total, v * T * total)), K);
    stp[gq.plan.name] = vars;
  }
  let stats: RecordingStats;
  if (plan.stats) {
    await reduceBatch(ctx, plan, b, bins);
    const binStats = new Float32Array(await read32(b.binStats, plan.statsElements));
    const averages = new Float32Array(await read32(b.trialAverages, T * plan.quantities.length));
    stats = gpuStats(plan, T, bins, binStats, averages);
  } else stats = statsFromArrays({ trials: T, bins, activity, inputs, stp });
  return {
    level: 'micro-gpu',
    scenario,
    trials: T,
    keptTrials: K,
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
    stats,
    wallSeconds: (performance.now() - o.wallStart) / 1000,
    engine: { trialRange: [b.from, b.from + T] },
  };
}

/** The statistics reduceBatch left on the GPU, in float64 (activity counts scaled to Hz), keyed as the Recording's arrays. */
function gpuStats(plan: GpuPlan, T: number, bins: number, binStats: Float32Array, averages: Float32Array): RecordingStats {
  const binSize = plan.binSteps * plan.net.dt;
  const stats: RecordingStats = { activity: {}, inputs: {}, stp: {} };
  plan.quantities.forEach((q, k) => {
    const n = q.rows * bins;
    const avg = bins > 0 ? meanM2(averages.subarray(k * T, (k + 1) * T)) : { mean: NaN, m2: NaN };
    let s: TrialStats = {
      count: T,
      rows: q.rows,
      bins,
      mean: Float64Array.from(binStats.subarray(q.statsOffset, q.statsOffset + n)),
      m2: Float64Array.from(binStats.subarray(q.statsOffset + n, q.statsOffset + 2 * n)),
      average: { mean: avg.mean, m2: avg.m2 },
    };
    if (q.kind === 'stp') {
      const pr = plan.projections[q.index].plan;
      stats.stp[pr.name] ??= {};
      stats.stp[pr.name][stpVariables(pr.stpModel)[q.variable]] = s;
      return;
    }
    const pop = plan.populations[q.index].plan;
    if (q.kind === 'activity') {
      s = scaleTrialStats(s, 1 / (pop.N * binSize));
      stats.activity[pop.name] = s;
    } else if (q.kind === 'sampled') stats.inputs[pop.name] = { ...stats.inputs[pop.name], sampled: s };
    else stats.inputs[pop.name] = { ...stats.inputs[pop.name], populationMean: s };
  });
  return stats;
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
