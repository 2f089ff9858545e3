/**
 * simulateMicroGpu: the micro engine on WebGPU. B trials × N neurons advance in one set of
 * dispatches per step, with the step of docs/step-semantics.md (the CPU engine's contract).
 *
 * Trials are the tiling axis: when the trials do not fit in one storage binding (or in the
 * memory budget) they run in consecutive batches that are merged like the CPU engine's worker
 * ranges; the Philox counters use the global trial index, so batching does not change a number.
 * A batch is allocated (allocate.ts: buffers, parameters, bind groups), run in chunks of many
 * steps per submission (stepSchedule.ts), and read back (readback.ts): the spike records after
 * every chunk, everything else once, at the end or at cancellation, so a cancelled run keeps
 * every completed bin. Under record.trials 'stats' the batch's arrays are first reduced to
 * per-bin statistics on the GPU (reduce.ts), and only those and the kept trials come back.
 * This file holds the batch loop, progress, cancellation and the merge.
 */
import { describeAdapter, GpuDeviceError, type GpuContext } from '../../gpu/device';
import { stepsPerBin, type Progress, type Recording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import { compileNetwork, filterPlacement, poissonSchemes } from '../../compile';
import { mergeRecordings } from '../../model/mergeRecordings';
import { keptInRange } from '../../model/recordingStats';
import { allocateBatch } from './allocate';
import { MicroKernels } from './kernels/kernel';
import { planGpu, STORAGE_BUFFERS_NEEDED, trialsPerBatch } from './plan';
import { drainSpikes, newSpikeLog, readRecording } from './readback';
import { scheduleUnsupported, type GpuScheduleMode } from './resident';
import { runChunk } from './stepSchedule';

export interface MicroGpuOptions {
  gpu: GpuContext;
  onProgress?: (p: Progress) => void;
  /** Checked between chunks; on abort the completed steps are returned (cancelled: true). */
  signal?: AbortSignal;
  /** Steps per command submission (default 500; fewer when spike records could overflow their buffer). */
  chunkSteps?: number;
  /** GPU memory the run may use (bytes, default 1 GiB): more trials than fit run in batches. */
  memoryBudget?: number;
  /** Upper bound on trials per batch (default: as many as fit); tests use it to exercise batching. */
  maxTrialsPerBatch?: number;
  /** Only these trials (global indices; default every trial). */
  trialRange?: [number, number];
  /**
   * Called with each batch's recording (engine.trialRange says which trials) as soon as it is
   * read back, before the next batch starts: a caller can show the Monte Carlo converging, and
   * keeps the completed batches if a later one fails (e.g. the device is lost).
   */
  onBatch?: (part: Recording) => void;
  /**
   * The step schedule: 'resident' (one dispatch per chunk, when a trial's network fits one
   * workgroup's reach), 'fused' (two dispatches per step, three at a bin's end with STP means
   * recorded, for the networks the resident kernel runs, of any size), 'general' (a set of
   * dispatches per step, runs everything), or 'auto' (default: resident where it can, except for
   * batches of more than 32 trials on a software adapter, else fused where it can, else general;
   * resident.ts chooseSchedule). All draw the same random numbers.
   */
  mode?: 'auto' | GpuScheduleMode;
}

/** Runs every trial of the scenario on the GPU, in as few batches as the adapter allows. */
export async function simulateMicroGpu(scenario: Scenario, options: MicroGpuOptions): Promise<Recording> {
  const start = performance.now();
  const ctx = options.gpu;
  const limits = ctx.summary.limits;
  if (limits.maxStorageBuffersPerShaderStage < STORAGE_BUFFERS_NEEDED) {
    throw new GpuDeviceError(
      `micro-gpu needs ${STORAGE_BUFFERS_NEEDED} storage buffers per shader stage; the adapter ${describeAdapter(ctx.summary)} allows ${limits.maxStorageBuffersPerShaderStage} (maxStorageBuffersPerShaderStage). Run --level micro-cpu instead.`,
    );
  }
  const net = compileNetwork(scenario, { engine: 'micro-gpu', proceduralWithoutCsr: true });
  const binSteps = stepsPerBin(scenario);
  const plan = planGpu(net, scenario, binSteps);
  const [first, last] = options.trialRange ?? [0, scenario.run.trials];
  if (!(Number.isInteger(first) && Number.isInteger(last) && first >= 0 && first < last && last <= scenario.run.trials)) {
    throw new RangeError(`micro-gpu: trialRange [${first}, ${last}) must lie within [0, ${scenario.run.trials}) and be non-empty`);
  }
  const trials = last - first;
  let perBatch = trialsPerBatch(plan, limits, trials, options.memoryBudget ?? 2 ** 30);
  if (options.maxTrialsPerBatch !== undefined) perBatch = Math.max(1, Math.min(perBatch, Math.floor(options.maxTrialsPerBatch)));
  const kernels = new MicroKernels(ctx);
  const chunkSteps = Math.max(1, Math.floor(options.chunkSteps ?? 500));
  const steps = net.steps;
  const batches = Math.ceil(trials / perBatch);
  const parts: Recording[] = [];
  let cancelled = false;
  // Set-up: compiling the network and the plan, then creating each batch's buffers and pipelines.
  let setupSeconds = (performance.now() - start) / 1000;
  let buffers: { total: number; byLabel: Record<string, number> } = { total: 0, byLabel: {} };
  const recordsSpikes = plan.populations.some((p) => p.recordSpikes > 0);
  let dispatches = 0;
  let dispatchedSteps = 0;
  const modes = new Set<GpuScheduleMode>();
  for (let k = 0; k < batches && !cancelled; k++) {
    const from = first + k * perBatch;
    const T = Math.min(perBatch, last - from);
    const batchStart = performance.now();
    const batch = await allocateBatch(ctx, kernels, plan, scenario, from, T, chunkSteps, options.mode);
    modes.add(batch.resident ? 'resident' : batch.fused ? 'fused' : 'general');
    setupSeconds += (performance.now() - batchStart) / 1000;
    const bytes = batch.memory.bytes();
    if (bytes.total > buffers.total) buffers = bytes;
    const spikes = newSpikeLog(plan);
    const keep = keptInRange(scenario.record, from, from + T);
    let n = 0;
    let part: Recording | null = null;
    try {
      while (n < steps) {
        if (options.signal?.aborted) {
          cancelled = true;
          break;
        }
        const end = Math.min(steps, n + batch.chunkCapacity);
        dispatches += await runChunk(ctx, plan, batch, n, end);
        dispatchedSteps += end - n;
        if (recordsSpikes) await drainSpikes(ctx, batch, spikes, keep);
        n = end;
        const done = (from - first) * steps + T * n;
        options.onProgress?.({ fraction: done / (trials * steps), completedSteps: Math.floor(done / trials), steps });
      }
      // A batch cancelled before its first chunk has nothing to add (unless it is the only one).
      if (n > 0 || parts.length === 0)
        part = await readRecording(ctx, plan, scenario, batch, spikes, { bins: Math.floor(n / binSteps), completedSteps: n, cancelled, wallStart: start });
    } finally {
      batch.memory.destroy();
    }
    if (part) {
      parts.push(part);
      options.onBatch?.(part);
    }
  }
  const merged = parts.length === 1 ? parts[0] : mergeRecordings(parts);
  const notResident = scheduleUnsupported(plan, 'resident', ctx.summary.loopIterationCap);
  const stpState: Record<string, string> = {};
  const filterState: Record<string, string> = {};
  const storage: Record<string, string> = {};
  const synapses: Record<string, number> = {};
  const fixedPoint: Record<string, { scale: number; maxInDegree: number; eventError: number }> = {};
  for (const q of plan.projections) {
    const pr = q.plan;
    synapses[pr.name] = pr.nSyn;
    if (pr.stpPlacement !== 'none') stpState[pr.name] = pr.stpPlacement;
    filterState[pr.name] = filterPlacement(pr);
    storage[pr.name] =
      (q.procedural ? `procedural (targets regenerated from Philox at each spike, segments of ${q.procedural.segment} candidates)` : 'explicit') +
      (pr.perTrial ? ', a network per trial' : '');
    fixedPoint[pr.name] = { scale: q.fixedPoint.scale, maxInDegree: q.maxInDegree, eventError: q.fixedPoint.eventError };
  }
  return {
    ...merged,
    level: 'micro-gpu',
    cancelled: merged.cancelled || cancelled,
    wallSeconds: (performance.now() - start) / 1000,
    engine: {
      name: 'micro-gpu (WebGPU, float32, event-driven, fixed-point accumulation)',
      poissonSources: poissonSchemes(net.populations),
      // How the steps were scheduled: 'general', every kernel of a step (stepSchedule.ts), 'fused', two or
      // three dispatches per step (fused.ts), or 'resident', one dispatch per chunk (resident.ts); with the
      // reason, under auto, why the network could not run resident.
      mode: [...modes].join(', '),
      ...(!modes.has('resident') && options.mode !== 'general' && notResident !== null ? { residentUnsupported: notResident } : {}),
      dispatchesPerStep: dispatchedSteps > 0 ? dispatches / dispatchedSteps : null,
      adapter: describeAdapter(ctx.summary),
      software: ctx.summary.software,
      ...(ctx.summary.loopIterationCap !== null ? { loopIterationCap: ctx.summary.loopIterationCap } : {}),
      stpState,
      filterState,
      storage,
      synapses,
      fixedPoint,
      trialsPerBatch: perBatch,
      setupSeconds,
      gpuBufferBytes: { largestBatch: buffers.total, byLabel: buffers.byLabel },
      batches: parts.length,
      trialRange: [first, first + merged.trials],
    },
  };
}
