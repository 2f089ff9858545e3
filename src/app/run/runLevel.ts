/**
 * Runs one level of a scenario from the page: micro on the page's WebGPU device, in batches of
 * trials so that the Monte Carlo estimate can be drawn as it converges; meso and macro in a
 * worker. Whatever happens — cancel, an engine error, the GPU device lost — the outcome keeps
 * every result completed before it.
 */
import type { Progress, Recording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import type { GpuContext } from '../../gpu/device';
import { GpuDeviceError } from '../../gpu/device';
import { engine, runVariant, variant } from '../../engines';
import { mergeRecordings } from '../../model/mergeRecordings';
import type { LevelChoice } from '../state/levels';
import type { FromWorker, ToWorker } from './workerProtocol';

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
}

/** Micro runs in about this many batches, so the estimate updates several times a run. */
export const MICRO_UPDATES = 8;
/** …but never fewer trials per batch than this: each batch pays its own set-up. */
export const MIN_TRIALS_PER_BATCH = 16;

export function trialsPerUpdate(trials: number): number {
  return Math.max(MIN_TRIALS_PER_BATCH, Math.ceil(trials / MICRO_UPDATES));
}

/**
 * Micro on the page's device: the registry's run of the variant, in batches reported through
 * onBatch. When a run stops inside a batch (cancel, device lost), the engine would cut every
 * trial to that batch's last step; the app keeps the full-duration trials of the completed
 * batches instead, when there are any: a Monte Carlo estimate over fewer whole trials is what a
 * user stopping early wants, and what the figures showed a moment before.
 */
async function runBatches(choice: LevelChoice, scenario: Scenario, gpu: GpuContext, cb: LevelCallbacks): Promise<LevelOutcome> {
  // The full-duration trials so far: each completed batch is appended once, as it arrives.
  let complete: Recording | null = null;
  try {
    const recording = await runVariant(choice, scenario, {
      gpu,
      signal: cb.signal,
      onProgress: cb.onProgress,
      maxTrialsPerBatch: trialsPerUpdate(scenario.run.trials),
      onBatch: (part) => {
        if (part.completedSteps !== part.steps) return;
        complete = complete ? { ...mergeRecordings([complete, part]), level: part.level } : part;
        cb.onPartial?.(complete);
      },
    });
    const kept = complete as Recording | null;
    if (recording.cancelled && kept && kept.trials < recording.trials) {
      return {
        recording: {
          ...kept,
          cancelled: true,
          wallSeconds: recording.wallSeconds,
          engine: {
            ...recording.engine,
            trialRange: kept.engine.trialRange,
            keptTrials: 'the completed batches (full duration); the batch cut by cancel is dropped',
          },
        },
      };
    }
    return { recording };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kept = complete as Recording | null;
    return {
      recording: kept ? { ...kept, cancelled: true, engine: { ...kept.engine, stoppedBy: message } } : null,
      error: message,
      deviceLost: error instanceof GpuDeviceError,
    };
  }
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

/** Engines on the GPU run on the page's device in batches; the others in a worker. */
export function runLevel(choice: LevelChoice, scenario: Scenario, gpu: GpuContext | null, cb: LevelCallbacks): Promise<LevelOutcome> {
  const v = variant(choice);
  const caps = engine(v.engine).capabilities;
  if (caps.gpu) {
    if (!gpu) return Promise.resolve({ recording: null, error: `${v.label} needs a WebGPU adapter, and this browser has none (see the message at the top)` });
    return runBatches(choice, scenario, gpu, cb);
  }
  if (caps.browserWorker) return runInWorker(choice, scenario, cb);
  return Promise.resolve({ recording: null, error: `${v.label} does not run in a browser` });
}
