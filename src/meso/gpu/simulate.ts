/**
 * The meso-gpu engine: the population equations of src/meso (docs/meso.md) for many trials at
 * once on WebGPU, in float32. The kernel (kernels/mesoStep.wgsl) gives each trial a workgroup
 * (layout 'lanes') or an invocation (layout 'trials') that loops over a chunk of steps; the host
 * evaluates the drives of the chunk in float64, submits one dispatch per chunk, reports progress
 * and checks for cancellation between chunks, and reads the recording back once per batch of
 * trials.
 *
 * Statistically, not bitwise, equal to the CPU meso engine: the spike counts and the synaptic
 * noise come from the same Philox streams (key (seed, population or projection), counter (block,
 * step, trial, purpose)), but float32 arithmetic moves the binomial's argument by rounding, and
 * a different count changes every later step. Because every draw is addressed by its global
 * trial index, batches and trial ranges change no trial's numbers.
 */
import type { GpuContext } from '../../gpu/device';
import { createStorageBuffer, createUniformBuffer, readBuffer, uploadStorageBuffer } from '../../gpu/buffers';
import { QueueWaiter } from '../../gpu/queueWait';
import { bindBuffers, type ComputeKernel, createComputeKernel } from '../../gpu/wgsl';
import { mergeSequentialRecordings } from '../../model/mergeRecordings';
import { cutBins, type InputRecording, type Recording, type SpikeRecording } from '../../model/recording';
import { recordingBytesPerTrial } from '../../model/recordingMemory';
import { keepLeadingTrials, keptInRange, statsFromArrays } from '../../model/recordingStats';
import type { Scenario } from '../../model/scenario';
import { timeFunctionAt } from '../../model/timeFunction';
import { batchRanges, statsBatchTrials } from '../../model/trialBatches';
import { Purpose, purposeWord, seedWord } from '../../rng/streams';
import { NEURON_POISSON } from '../../compile';
import { MAX_MESO_GPU_POPULATIONS, MAX_MESO_GPU_PROJECTIONS } from '../../compile/support';
import { compileMesoNetwork, type MesoNetwork } from '../network';
import type { MesoOptions } from '../simulate';
import {
  defaultLayout,
  lanesFor,
  type MesoGpuLayout,
  type MesoStepSwitch,
  mesoStepParts,
  MesoParams,
  MesoPop,
  MesoProj,
  TRIALS_PER_WORKGROUP,
} from './kernels/mesoStep';
import { STP_MEAN_FIELD_DEFAULT, type StpMeanFieldOrder } from '../stpMeanField';
import { planMesoGpu, type MesoGpuPlan } from './plan';

/** The CPU meso engine's run options (same meaning, same defaults), plus the GPU and its budget. */
export interface MesoGpuOptions extends Pick<MesoOptions, 'stp' | 'moments' | 'onProgress' | 'signal' | 'maxTrialsPerBatch' | 'trialRange'> {
  gpu: GpuContext;
  /** 'macro': n = n̄ and no synaptic noise (the N → ∞ limit), for checks against the CPU macro engine. Default 'meso'. */
  level?: 'meso' | 'macro';
  /** Steps per dispatch, between progress reports and abort checks (default 500). */
  chunkSteps?: number;
  /**
   * How trials map onto invocations (kernels/mesoStep.ts MesoGpuLayout): 'lanes' (a workgroup per
   * trial) or 'trials' (an invocation per trial). Default: 'trials' on a software adapter from 16
   * trials, 'lanes' otherwise. Both give every trial the same arithmetic up to the order of sums.
   */
  layout?: MesoGpuLayout;
  /** Bytes the state and recording of one batch may take on the GPU (default 1 GiB). */
  memoryBudget?: number;
}

/** The options with their defaults resolved, as the batches use them. */
type RunSettings = MesoGpuOptions & { level: 'meso' | 'macro'; order: StpMeanFieldOrder; layout: MesoGpuLayout };

const DEFAULT_CHUNK_STEPS = 500;
/**
 * Steps per dispatch on an adapter with a loop iteration cap (AdapterSummary.loopIterationCap:
 * Mesa's llvmpipe before 25 ends every loop of an invocation after 65535 iterations in all). The
 * kernel loops over its chunk's steps and, within a step, over bins, lanes and projections; V6 at
 * N = 500 takes about 170 iterations a step, so a chunk of 500 stopped after about 380 steps on
 * Mesa 22.3.6 (rates 25 % low). One step a dispatch keeps far below the cap; it costs about
 * 0.4 ms a step there, little beside 32 trials (5.5 s against 5.2 s for V6, 1 s: docs/platform.md).
 */
const CAPPED_CHUNK_STEPS = 1;
const DEFAULT_MEMORY_BUDGET = 2 ** 30;
/** One workgroup per trial, on one grid dimension. */
const MAX_TRIALS_PER_DISPATCH = 65535;

export async function simulateMesoGpu(scenario: Scenario, options: MesoGpuOptions): Promise<Recording> {
  const started = performance.now();
  const level = options.level ?? 'meso';
  const order = options.stp ?? STP_MEAN_FIELD_DEFAULT;
  // Refuses what meso-gpu does not model (src/compile/support.ts), naming the field and the fix.
  const net = compileMesoNetwork(scenario, 'meso-gpu');
  const [from, to] = options.trialRange ?? [0, scenario.run.trials];
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= scenario.run.trials)) {
    throw new RangeError(`meso-gpu: trialRange [${from}, ${to}) must lie within [0, ${scenario.run.trials}) and be non-empty`);
  }
  const plan = planMesoGpu(scenario, net, order);
  const gpu = options.gpu;
  // From the scenario's trials, not the range's: every block of a checkpointed or sharded run then
  // takes the same layout, and a trial's numbers do not depend on its block.
  const layout = options.layout ?? defaultLayout(gpu.summary, scenario.run.trials);
  const switches: Record<MesoStepSwitch, boolean> = { MACRO_LIMIT: level === 'macro', ...plan.features };
  const kernel = await createComputeKernel(gpu, {
    label: `meso-gpu mesoStep (${layout})`,
    parts: mesoStepParts(layout),
    constants: {
      ...(layout === 'lanes' ? { LANES: lanesFor(gpu.summary) } : {}),
      ...Object.fromEntries(Object.entries(switches).map(([k, v]) => [k, v ? 1 : 0])),
    },
  });
  const perBatch = trialsPerBatch(scenario, plan, gpu, options, to - from);
  const setupSeconds = (performance.now() - started) / 1000;
  const ranges = batchRanges(from, to, perBatch);
  const run = { ...options, level, order, layout };
  // Under record.trials 'all' every batch writes its rows straight into the run's arrays, so that
  // nothing is merged (a copy of every array) and the statistics are taken once; under 'stats'
  // each batch keeps its leading trials and its statistics, which merge (mergeSequentialRecordings).
  const direct = scenario.record.trials !== 'stats';
  const rows = direct ? allocateRows(net, plan, to - from, plan.totalBins) : null;
  const parts: Recording[] = [];
  const ran: BatchResult[] = [];
  let stoppedEarly = false;
  for (let k = 0; k < ranges.length; k++) {
    const [a, b] = ranges[k];
    if (k > 0 && options.signal?.aborted) {
      stoppedEarly = true;
      break;
    }
    const onProgress = (done: number) => {
      const total = (to - from) * plan.steps;
      const sofar = (a - from) * plan.steps + (b - a) * done;
      options.onProgress?.({ fraction: total > 0 ? sofar / total : 1, completedSteps: Math.floor(sofar / (to - from)), steps: plan.steps });
    };
    const batch = await runBatch(scenario, net, plan, kernel, run, [a, b], onProgress);
    // A batch stopped before its first chunk adds nothing (unless it is the only one), as in TrialBatches.
    if (batch.completedSteps > 0 || ran.length === 0) {
      ran.push(batch);
      const bins = Math.floor(batch.completedSteps / plan.binSteps);
      if (rows) copyBatchRows(net, plan, scenario.run.dt, batch, bins, rows, plan.totalBins, a - from);
      else {
        const own = allocateRows(net, plan, b - a, bins);
        copyBatchRows(net, plan, scenario.run.dt, batch, bins, own, bins, 0);
        const part = assembleRecording(scenario, net, plan, run, own, b - a, batch.completedSteps, batch.cancelled, started);
        parts.push(keepLeadingTrials(part, keptInRange(scenario.record, a, b)));
      }
    }
    if (batch.cancelled) break;
  }
  const merged = rows ? wholeRecording(scenario, net, plan, run, rows, ran, started) : mergeSequentialRecordings(parts);
  return {
    ...merged,
    cancelled: merged.cancelled || stoppedEarly,
    wallSeconds: (performance.now() - started) / 1000,
    engine: {
      ...merged.engine,
      trialRange: [from, from + merged.trials],
      trialsPerBatch: perBatch,
      batches: ran.length,
      setupSeconds,
    },
  };
}

/**
 * Trials per batch: as many as one storage binding and the memory budget hold for the state and
 * the recording, at most one dispatch's workgroups, and under record.trials 'stats' what the
 * host may hold of one batch's arrays (as the CPU engines).
 */
function trialsPerBatch(scenario: Scenario, plan: MesoGpuPlan, gpu: GpuContext, options: MesoGpuOptions, trials: number): number {
  const perTrial = 4 * Math.max(plan.stateStride, plan.recStride);
  const binding = gpu.summary.limits.maxStorageBufferBindingSize;
  const budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
  let n = Math.min(MAX_TRIALS_PER_DISPATCH, Math.floor(binding / perTrial), Math.floor(budget / (4 * (plan.stateStride + plan.recStride))));
  if (n < 1) {
    throw new Error(
      `meso-gpu: one trial needs ${perTrial} bytes in one storage binding (state or recording), above this adapter's ${binding} (maxStorageBufferBindingSize) or the memory budget; record fewer bins or series, or run it with --level meso`,
    );
  }
  if (scenario.record.trials === 'stats') n = Math.min(n, statsBatchTrials(recordingBytesPerTrial(scenario), options.maxTrialsPerBatch));
  if (options.maxTrialsPerBatch !== undefined) n = Math.min(n, Math.max(1, Math.floor(options.maxTrialsPerBatch)));
  return Math.max(1, Math.min(n, trials));
}

/** The drives of steps [n0, n0 + steps) per population: μ(t_n), or 1 − e^{−r(t_n)dt} for a Poisson population. */
function chunkDrives(net: MesoNetwork, dt: number, n0: number, steps: number): Float32Array {
  const out = new Float32Array(steps * net.pops.length);
  for (let s = 0; s < steps; s++) {
    net.pops.forEach((p, i) => {
      const v = timeFunctionAt(p.drive, n0 + s, dt);
      out[s * net.pops.length + i] = p.model === NEURON_POISSON ? -Math.expm1(-v * dt) : v;
    });
  }
  return out;
}

async function runBatch(
  scenario: Scenario,
  net: MesoNetwork,
  plan: MesoGpuPlan,
  kernel: ComputeKernel,
  options: RunSettings,
  [a, b]: [number, number],
  onProgress: (completedSteps: number) => void,
): Promise<BatchResult> {
  const gpu = options.gpu;
  const { device } = gpu;
  const T = b - a;
  const dt = scenario.run.dt;
  // Under a loop iteration cap (Mesa's llvmpipe before 25) a chunk of many steps in one dispatch
  // stops part-way (CAPPED_CHUNK_STEPS): one step per dispatch.
  const requested = Math.max(1, Math.floor(options.chunkSteps ?? DEFAULT_CHUNK_STEPS));
  const chunk = gpu.summary.loopIterationCap !== null ? Math.min(requested, CAPPED_CHUNK_STEPS) : requested;
  const initial = new Float32Array(T * plan.stateStride);
  for (let t = 0; t < T; t++) initial.set(plan.initialState, t * plan.stateStride);
  const table = <V>(s: { size: number; write(view: DataView, offset: number, v: V): void }, rows: V[], slots = 0) => {
    const bytes = new ArrayBuffer(Math.max(1, rows.length, slots) * s.size);
    const view = new DataView(bytes);
    rows.forEach((r, i) => {
      s.write(view, i * s.size, r);
    });
    return new Uint32Array(bytes);
  };
  const buffers: GPUBuffer[] = [];
  const keep = (buffer: GPUBuffer) => {
    buffers.push(buffer);
    return buffer;
  };
  try {
    const pops = keep(createUniformBuffer(gpu, table(MesoPop, plan.pops, MAX_MESO_GPU_POPULATIONS), 'meso-gpu populations'));
    const projs = keep(createUniformBuffer(gpu, table(MesoProj, plan.projs, MAX_MESO_GPU_PROJECTIONS), 'meso-gpu projections'));
    const drives = keep(createStorageBuffer(gpu, 4 * chunk * net.pops.length, 'meso-gpu drives'));
    const state = keep(uploadStorageBuffer(gpu, initial, 'meso-gpu state'));
    const rec = keep(createStorageBuffer(gpu, 4 * T * plan.recStride, 'meso-gpu recording'));
    const kernels = keep(uploadStorageBuffer(gpu, plan.kernels.length > 0 ? plan.kernels : new Float32Array(1), 'meso-gpu adaptation kernels'));
    const paramsOf = (step0: number, steps: number) =>
      MesoParams.pack({
        step0,
        steps,
        trial0: a,
        trials: T,
        seed: seedWord(scenario.run.seed),
        pops: net.pops.length,
        projs: net.projs.length,
        bin_steps: plan.binSteps,
        total_bins: plan.totalBins,
        state_stride: plan.stateStride,
        rec_stride: plan.recStride,
        count_word: purposeWord(Purpose.mesoCount),
        noise_word: purposeWord(Purpose.mesoNoise),
        realised: options.moments === 'realised' ? 1 : 0,
        dt,
        inv_bin_steps: 1 / plan.binSteps,
      });
    const params = keep(createUniformBuffer(gpu, paramsOf(0, 0), 'meso-gpu parameters'));
    const bind = bindBuffers(gpu, kernel, [params, pops, projs, drives, state, rec, kernels], 'meso-gpu step');
    let n = 0;
    let cancelled = false;
    const waiter = new QueueWaiter(gpu);
    while (n < plan.steps) {
      if (options.signal?.aborted) {
        cancelled = true;
        break;
      }
      const steps = Math.min(chunk, plan.steps - n);
      const d = chunkDrives(net, dt, n, steps);
      device.queue.writeBuffer(drives, 0, d.buffer, d.byteOffset, d.byteLength);
      device.queue.writeBuffer(params, 0, paramsOf(n, steps));
      const encoder = device.createCommandEncoder({ label: 'meso-gpu chunk' });
      const pass = encoder.beginComputePass({ label: 'meso-gpu chunk' });
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(options.layout === 'lanes' ? T : Math.ceil(T / TRIALS_PER_WORKGROUP));
      pass.end();
      await waiter.submit([encoder.finish()], steps);
      gpu.assertHealthy();
      n += steps;
      onProgress(n);
    }
    const recorded = new Float32Array(await readBuffer(gpu, rec, 4 * T * plan.recStride));
    return { recorded, trials: T, completedSteps: n, cancelled };
  } finally {
    for (const buffer of buffers) buffer.destroy();
  }
}

/** What a batch read back: its trials' recording buffer (recStride floats each) and how far it got. */
interface BatchResult {
  recorded: Float32Array;
  trials: number;
  completedSteps: number;
  cancelled: boolean;
}

/** A run's (or a batch's) recorded series, laid out as the CPU meso engine's: [trials × rows × width]. */
interface RowArrays {
  activity: Record<string, Float64Array>;
  inputs: Record<string, InputRecording>;
  stp: Record<string, Record<string, Float64Array>>;
}

/** Every recorded series of the network as one list: its arrays' rows per trial and where a trial's rows lie in the recording buffer. */
function seriesOf(net: MesoNetwork, plan: MesoGpuPlan, rows: RowArrays, dt: number): { a: Float64Array; rows: number; off: number; scale: number }[] {
  const binSize = plan.binSteps * dt;
  const out: { a: Float64Array; rows: number; off: number; scale: number }[] = [];
  net.pops.forEach((p, i) => {
    const layout = plan.pops[i];
    out.push({ a: rows.activity[p.name], rows: 1, off: layout.activity_off, scale: 1 / (p.N * binSize) });
    const input = rows.inputs[p.name];
    if (!input) return;
    if (input.neurons.length > 0) out.push({ a: input.sampled as Float64Array, rows: input.neurons.length, off: layout.input_sampled_off, scale: 1 });
    out.push({ a: input.populationMean as Float64Array, rows: 1, off: layout.input_mean_off, scale: 1 });
  });
  net.projs.forEach((q, i) => {
    plan.stpNames[i].forEach((name, v) => {
      out.push({ a: rows.stp[q.name][name], rows: 1, off: plan.projs[i].stp_rec_off + v * plan.totalBins, scale: 1 });
    });
  });
  return out;
}

/** Zeroed arrays for `trials` trials of `width` bins per row. */
function allocateRows(net: MesoNetwork, plan: MesoGpuPlan, trials: number, width: number): RowArrays {
  const rows: RowArrays = { activity: {}, inputs: {}, stp: {} };
  net.pops.forEach((p, i) => {
    rows.activity[p.name] = new Float64Array(trials * width);
    const m = net.sampled[i];
    if (m < 0) return;
    rows.inputs[p.name] = {
      neurons: Int32Array.from({ length: m }, (_, k) => k),
      sampled: new Float64Array(trials * m * width),
      populationMean: new Float64Array(trials * width),
    };
  });
  net.projs.forEach((q, i) => {
    if (plan.stpNames[i].length === 0) return;
    rows.stp[q.name] = Object.fromEntries(plan.stpNames[i].map((name) => [name, new Float64Array(trials * width)]));
  });
  return rows;
}

/** The first `bins` bins of every series of a batch, as float64, into `rows` (rows of `width` bins) from trial `trial0` on. */
function copyBatchRows(
  net: MesoNetwork,
  plan: MesoGpuPlan,
  dt: number,
  batch: BatchResult,
  bins: number,
  rows: RowArrays,
  width: number,
  trial0: number,
): void {
  const { recorded, trials } = batch;
  const total = plan.totalBins;
  for (const s of seriesOf(net, plan, rows, dt))
    for (let t = 0; t < trials; t++)
      for (let r = 0; r < s.rows; r++) {
        const from = t * plan.recStride + s.off + r * total;
        const to = ((trial0 + t) * s.rows + r) * width;
        for (let k = 0; k < bins; k++) s.a[to + k] = recorded[from + k] * s.scale;
      }
}

/**
 * The run's Recording from rows that every batch wrote into (record.trials 'all'): cut to the
 * batches that ran and to the bins all of them completed (fewer only when cancelled), as merging
 * them would.
 */
function wholeRecording(
  scenario: Scenario,
  net: MesoNetwork,
  plan: MesoGpuPlan,
  options: RunSettings,
  rows: RowArrays,
  batches: readonly BatchResult[],
  started: number,
): Recording {
  const trials = batches.reduce((n, b) => n + b.trials, 0);
  const completedSteps = Math.min(...batches.map((b) => b.completedSteps));
  const bins = Math.floor(completedSteps / plan.binSteps);
  const W = plan.totalBins;
  // Every array whole (no batch cancelled, none left out) is used as it is; cutBins copies otherwise.
  const cut = (a: Float64Array, perTrial: number) => cutBins(a.subarray(0, trials * perTrial * W), trials * perTrial, W, bins);
  const kept: RowArrays = {
    activity: Object.fromEntries(Object.entries(rows.activity).map(([name, a]) => [name, cut(a, 1)])),
    inputs: Object.fromEntries(
      Object.entries(rows.inputs).map(([name, i]) => [
        name,
        { neurons: i.neurons, sampled: cut(i.sampled as Float64Array, i.neurons.length), populationMean: cut(i.populationMean as Float64Array, 1) },
      ]),
    ),
    stp: Object.fromEntries(Object.entries(rows.stp).map(([q, vars]) => [q, Object.fromEntries(Object.entries(vars).map(([v, a]) => [v, cut(a, 1)]))])),
  };
  return assembleRecording(
    scenario,
    net,
    plan,
    options,
    kept,
    trials,
    completedSteps,
    batches.some((b) => b.cancelled),
    started,
  );
}

/** A Recording of `trials` trials from their arrays, cut to the bins of `completedSteps`. */
function assembleRecording(
  scenario: Scenario,
  net: MesoNetwork,
  plan: MesoGpuPlan,
  options: RunSettings,
  rows: RowArrays,
  T: number,
  completedSteps: number,
  cancelled: boolean,
  started: number,
): Recording {
  const { activity, inputs, stp } = rows;
  const bins = Math.floor(completedSteps / plan.binSteps);
  const binSize = plan.binSteps * scenario.run.dt;
  // There are no individual neurons at this level: requested spike records are empty.
  const spikes: Record<string, SpikeRecording> = {};
  for (const r of scenario.record.spikes)
    spikes[r.population] = { neurons: new Int32Array(0), trial: new Int32Array(0), neuron: new Int32Array(0), time: new Float64Array(0) };
  const macro = options.level === 'macro';
  const summary = options.gpu.summary;
  return {
    // The macro limit is a check of this engine against the CPU's, not an engine of its own.
    level: 'meso-gpu',
    scenario,
    trials: T,
    keptTrials: T,
    dt: scenario.run.dt,
    steps: plan.steps,
    completedSteps,
    cancelled,
    binSize,
    bins,
    activity,
    inputs,
    stp,
    spikes,
    stats: statsFromArrays({ trials: T, bins, activity, inputs, stp }),
    wallSeconds: (performance.now() - started) / 1000,
    engine: {
      name: macro
        ? 'meso-gpu, macro limit (population equations on WebGPU, float32: no spike-count draws, no synaptic noise)'
        : 'meso-gpu (population equations of Schwalger et al. 2017 on WebGPU, float32, binomial spike counts)',
      stpMeanField: options.order,
      stpMoments: options.moments === 'realised' ? 'driven by the realised activity A_N' : 'driven by the expected activity Ā',
      ageBins: plan.ageBins,
      inDegree: Object.fromEntries(net.projs.map((q) => [q.name, q.C])),
      spikes: 'not available at this level (no individual neurons)',
      adapter: `${summary.vendor} ${summary.architecture} ${summary.device} ${summary.description}`.trim(),
      software: summary.software,
      layout:
        options.layout === 'lanes'
          ? `lanes: a workgroup of ${lanesFor(summary)} per trial`
          : `trials: an invocation per trial, ${TRIALS_PER_WORKGROUP} per workgroup`,
      ...(summary.loopIterationCap !== null ? { loopIterationCap: summary.loopIterationCap, stepsPerDispatch: CAPPED_CHUNK_STEPS } : {}),
    },
  };
}
