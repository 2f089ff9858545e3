/**
 * Runs one level of a scenario from the page: micro on the page's WebGPU device, in the CLI's
 * blocks of trials (each saved in the browser's storage as it completes, so that a reloaded or
 * crashed tab can resume) and within them in batches, so that the Monte Carlo estimate can be
 * drawn as it converges; meso on the page's device (the meso-gpu engine) or in a worker, as
 * ../state/mesoPlacement.ts decides; macro in a worker. Whatever happens — cancel, an engine
 * error, the GPU device lost — the outcome keeps every result completed before it.
 */
import type { Progress, Recording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import type { GpuContext } from '../../gpu/device';
import { GpuDeviceError } from '../../gpu/device';
import { engine, runEngine, runVariant, variant } from '../../engines';
import { mergeSequentialRecordings } from '../../model/mergeRecordings';
import { blockRanges, mergeBlocks } from '../../io/blockFormat';
import { appRunManifest } from '../state/savedRuns';
import type { RunSlot } from './savedRuns';
import type { LevelChoice } from '../state/levels';
import { type FromWorker, MESO_CHUNK_STEPS, type ToWorker } from './workerProtocol';

export interface LevelCallbacks {
  onProgress(p: Progress): void;
  /** Results so far (micro: the trials of the batches completed). */
  onPartial?(r: Recording): void;
  signal: AbortSignal;
}

export interface LevelOutcome {
  /** What was computed: all of it, or the completed part (null if nothing was). */
  recording: Recording | null;
  /** Why the run stopped early, if it failed. */
  error?: string;
  /** The GPU device was lost (or errored): the next run needs a new one. */
  deviceLost?: boolean;
  /** Every block of a run in blocks completed (its saved blocks may go). */
  complete?: boolean;
}

/** Micro runs in about this many batches, so the estimate updates several times a run. */
export const MICRO_UPDATES = 8;
/** …but never fewer trials per batch than this: each batch pays its own set-up. */
export const MIN_TRIALS_PER_BATCH = 16;

export function trialsPerUpdate(trials: number): number {
  return Math.max(MIN_TRIALS_PER_BATCH, Math.ceil(trials / MICRO_UPDATES));
}

/** A micro level's run in blocks: where its blocks are saved, and what it reports about them. */
export interface BlockCallbacks {
  /** The run's slot in the browser's storage (its saved blocks; where new ones go), or null: nothing is saved. */
  slot: RunSlot | null;
  /** Blocks of the run, saved (resumed or written since), and resumed from storage; after each change. */
  onBlocks?(b: { total: number; saved: number; resumed: number }): void;
  /** A block could not be saved (the run goes on). */
  onSaveError?(k: number, error: unknown): void;
}

/** Progressive results merge parts that ran one after another; null stays null. */
function append(a: Recording | null, b: Recording | null): Recording | null {
  if (!a) return b;
  if (!b) return a;
  return mergeSequentialRecordings([a, b]);
}

/**
 * Micro on the page's device, in the CLI's blocks of trials (src/io/blockFormat.ts; each block
 * a run of EngineContext.trialRange, exactly those trials of the whole run). The blocks saved by
 * an earlier session are taken as they are; each block computed is saved as soon as it completes;
 * the result is every block merged in index order (mergeBlocks), so a resumed run gives the
 * numbers of an uninterrupted one. Within a block the trials run in batches reported through
 * onBatch, so the figures are redrawn several times a run.
 *
 * When a run stops inside a block (cancel, device lost), the engine would cut every trial of that
 * block to its last step; the app keeps the full-duration trials instead: the leading completed
 * blocks and the completed batches of the block that followed them, when there are any. A Monte
 * Carlo estimate over fewer whole trials is what a user stopping early wants, and what the
 * figures showed a moment before.
 */
async function runBlocks(choice: LevelChoice, scenario: Scenario, gpu: GpuContext, cb: LevelCallbacks, blocks: BlockCallbacks): Promise<LevelOutcome> {
  const slot = blocks.slot;
  const trials = scenario.run.trials;
  const ranges = slot ? slot.ranges : blockRanges(trials, appRunManifest(scenario, choice).blockTrials);
  const done: (Recording | undefined)[] = ranges.map((_, k) => slot?.saved.get(k));
  const resumed = done.filter(Boolean).length;
  let saved = resumed;
  const size = (k: number) => ranges[k][1] - ranges[k][0];
  let doneTrials = done.reduce((s, r, k) => s + (r ? size(k) : 0), 0);
  // The leading completed blocks merged (what the figures show), and how many they are.
  let prefix: Recording | null = null;
  let prefixBlocks = 0;
  const advance = () => {
    const add: Recording[] = [];
    while (prefixBlocks < ranges.length && done[prefixBlocks]) add.push(done[prefixBlocks++]!);
    if (add.length > 0) prefix = append(prefix, mergeSequentialRecordings(add));
  };
  blocks.onBlocks?.({ total: ranges.length, saved, resumed });
  advance();
  if (prefix) cb.onPartial?.(prefix);
  if (doneTrials > 0) cb.onProgress({ fraction: doneTrials / trials, completedSteps: 0, steps: 0 });
  // The completed batches of the block running, and a block cut by cancel (its trials cut short).
  let batches: Recording | null = null;
  let cut: Recording | null = null;
  let current = -1;
  const kept = (): Recording | null => append(prefix, current === prefixBlocks ? batches : null);
  try {
    for (let k = 0; k < ranges.length; k++) {
      if (done[k]) continue;
      if (cb.signal.aborted) break;
      current = k;
      batches = null;
      const rec = await runVariant(choice, scenario, {
        gpu,
        signal: cb.signal,
        trialRange: ranges[k],
        maxTrialsPerBatch: trialsPerUpdate(trials),
        onProgress: (p) => cb.onProgress({ ...p, fraction: (doneTrials + p.fraction * size(k)) / trials }),
        onBatch: (part) => {
          if (part.completedSteps !== part.steps) return;
          batches = append(batches, part);
          if (k === prefixBlocks) cb.onPartial?.(kept()!);
        },
      });
      if (rec.cancelled || rec.completedSteps < rec.steps) {
        cut = rec;
        break;
      }
      done[k] = rec;
      doneTrials += size(k);
      batches = null;
      current = -1;
      if (slot?.saving) {
        try {
          await slot.save(k, rec);
          saved++;
        } catch (error) {
          blocks.onSaveError?.(k, error);
        }
      }
      blocks.onBlocks?.({ total: ranges.length, saved, resumed });
      const before = prefixBlocks;
      advance();
      if (prefixBlocks > before) cb.onPartial?.(prefix!);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const partial = kept();
    return {
      recording: partial ? { ...partial, cancelled: true, engine: { ...partial.engine, stoppedBy: message } } : null,
      error: message,
      deviceLost: error instanceof GpuDeviceError,
    };
  }
  if (done.every(Boolean)) {
    const all = done as Recording[];
    const merged = mergeBlocks(all);
    return {
      recording: { ...merged, engine: { ...merged.engine, blocks: ranges.length, blockTrials: size(0), resumedBlocks: resumed } },
      complete: true,
    };
  }
  // Cancelled.
  const partial = kept();
  if (partial)
    return {
      recording: {
        ...partial,
        cancelled: true,
        engine: { ...partial.engine, keptTrials: 'the completed blocks and batches (full duration); the batch cut by cancel is dropped' },
      },
    };
  return { recording: cut };
}

function runInWorker(choice: LevelChoice, scenario: Scenario, cb: LevelCallbacks): Promise<LevelOutcome> {
  const worker = new Worker(new URL('./mesoWorker.ts', import.meta.url), { type: 'module', name: `mesostp ${choice}` });
  return new Promise<LevelOutcome>((resolve) => {
    const finish = (outcome: LevelOutcome) => {
      cb.signal.removeEventListener('abort', onAbort);
      worker.terminate();
      resolve(outcome);
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    cb.signal.addEventListener('abort', onAbort);
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const msg = event.data;
      if (msg.type === 'progress') cb.onProgress(msg.progress);
      else if (msg.type === 'done') finish({ recording: msg.recording });
      else finish({ recording: null, error: msg.message });
    };
    worker.onerror = (event) => finish({ recording: null, error: `the ${variant(choice).label} worker failed: ${event.message || 'it could not be started'}` });
    worker.postMessage({ type: 'run', scenario, variant: choice } satisfies ToWorker);
    if (cb.signal.aborted) onAbort();
  });
}

/**
 * A meso level on the page's device: the meso-gpu engine with the variant's options (its STP
 * mean-field), all trials at once. Cancel stops it at its next chunk of steps with every trial up
 * to the last completed step, as in the worker; a lost device leaves nothing to keep (the trials
 * lived in its buffers).
 */
async function runMesoOnGpu(choice: LevelChoice, scenario: Scenario, gpu: GpuContext, cb: LevelCallbacks): Promise<LevelOutcome> {
  try {
    const recording = await runEngine('meso-gpu', scenario, variant(choice).options, {
      gpu,
      signal: cb.signal,
      chunkSteps: MESO_CHUNK_STEPS,
      onProgress: cb.onProgress,
    });
    return { recording };
  } catch (error) {
    return { recording: null, error: error instanceof Error ? error.message : String(error), deviceLost: error instanceof GpuDeviceError };
  }
}

/**
 * Engines on the GPU run on the page's device in blocks and batches (`blocks`: where they are
 * saved); a meso level placed on the GPU (`mesoOnGpu`, from placeMeso) on the page's device with
 * meso-gpu; the others in a worker.
 */
export function runLevel(
  choice: LevelChoice,
  scenario: Scenario,
  gpu: GpuContext | null,
  cb: LevelCallbacks,
  blocks: BlockCallbacks = { slot: null },
  mesoOnGpu = false,
): Promise<LevelOutcome> {
  const v = variant(choice);
  const caps = engine(v.engine).capabilities;
  if (caps.gpu || mesoOnGpu) {
    if (!gpu)
      return Promise.resolve({
        recording: null,
        error: `${caps.gpu ? v.label : `${v.label} on WebGPU`} needs a WebGPU adapter, and this browser has none (see the message at the top)`,
      });
    return caps.gpu ? runBlocks(choice, scenario, gpu, cb, blocks) : runMesoOnGpu(choice, scenario, gpu, cb);
  }
  if (caps.browserWorker) return runInWorker(choice, scenario, cb);
  return Promise.resolve({ recording: null, error: `${v.label} does not run in a browser` });
}
