/**
 * The CPU engines over worker threads (micro-cpu, meso): trials are independent (each draws from
 * its own Philox counters), so splitting them into contiguous ranges, one per worker, gives
 * recordings identical to a single-threaded run (under record.trials 'stats', statistics equal to
 * rounding: the workers' merge by Chan's update). Cancellation and progress cross threads through a
 * SharedArrayBuffer: the main thread raises a flag, each worker checks it between chunks
 * of steps (via its progress callback), and the merged recording is cut to the steps every
 * worker completed.
 */
import { Worker, parentPort, workerData } from 'node:worker_threads';
import type { Progress, Recording } from '../model/recording';
import type { Scenario } from '../model/scenario';
import { mergeRecordings } from '../model/mergeRecordings';
import { simulateMeso, type MesoOptions } from '../meso';
import { simulateMicroCpu } from '../micro/cpu';

/** What each worker runs on its trials: an engine and the options that are not the run's plumbing. */
export type ThreadJob = { engine: 'micro-cpu' } | { engine: 'meso'; options: Pick<MesoOptions, 'level' | 'stp' | 'moments'> };

interface WorkerInput {
  mesostpWorker: true;
  job: ThreadJob;
  scenario: Scenario;
  trialRange: [number, number];
  maxTrialsPerBatch?: number;
  /** [0]: abort flag; [1 + w]: completed steps of worker w. */
  shared: SharedArrayBuffer;
  index: number;
}

type WorkerMessage = { type: 'done'; recording: Recording } | { type: 'error'; message: string };

export interface ThreadOptions {
  threads: number;
  workerScript: URL;
  /** Only these trials (global indices; default every trial). */
  trialRange?: [number, number];
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** record.trials 'stats': an upper bound on the trials of each worker's batches. */
  maxTrialsPerBatch?: number;
}

/** Contiguous, nearly equal trial ranges, one per thread. */
export function splitTrials(trials: number, threads: number): [number, number][] {
  const n = Math.max(1, Math.min(threads, trials));
  const ranges: [number, number][] = [];
  for (let w = 0; w < n; w++) ranges.push([Math.floor((w * trials) / n), Math.floor(((w + 1) * trials) / n)]);
  return ranges;
}

export async function simulateOnThreads(scenario: Scenario, job: ThreadJob, options: ThreadOptions): Promise<Recording> {
  const start = performance.now();
  const [first, last] = options.trialRange ?? [0, scenario.run.trials];
  const ranges = splitTrials(last - first, options.threads).map(([a, b]): [number, number] => [first + a, first + b]);
  const shared = new SharedArrayBuffer(4 * (1 + ranges.length));
  const flags = new Int32Array(shared);
  const abort = () => Atomics.store(flags, 0, 1);
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  const steps = Math.round(scenario.run.duration / scenario.run.dt);
  const timer = options.onProgress
    ? setInterval(() => {
        let done = Infinity;
        for (let w = 0; w < ranges.length; w++) done = Math.min(done, Atomics.load(flags, 1 + w));
        options.onProgress!({ fraction: done / steps, completedSteps: done, steps });
      }, 200)
    : null;
  try {
    const parts = await Promise.all(
      ranges.map(
        (trialRange, index) =>
          new Promise<Recording>((resolve, reject) => {
            const input: WorkerInput = { mesostpWorker: true, job, scenario, trialRange, maxTrialsPerBatch: options.maxTrialsPerBatch, shared, index };
            const worker = new Worker(options.workerScript, { workerData: input });
            worker.once('message', (m: WorkerMessage) => {
              if (m.type === 'done') resolve(m.recording);
              else reject(new Error(`${job.engine} worker ${index}: ${m.message}`));
              void worker.terminate();
            });
            worker.once('error', reject);
            worker.once('exit', (code) => {
              if (code !== 0) reject(new Error(`${job.engine} worker ${index} exited with code ${code}`));
            });
          }),
      ),
    );
    const merged = mergeRecordings(parts);
    merged.wallSeconds = (performance.now() - start) / 1000;
    merged.engine = { ...merged.engine, threads: ranges.length };
    options.onProgress?.({ fraction: merged.completedSteps / steps, completedSteps: merged.completedSteps, steps });
    return merged;
  } finally {
    if (timer) clearInterval(timer);
    options.signal?.removeEventListener('abort', abort);
  }
}

/** Body of a worker thread (started by src/cli/entry.ts or the library's entry when workerData.mesostpWorker is set). */
export function runTrialWorker(): void {
  const input = workerData as WorkerInput;
  const flags = new Int32Array(input.shared);
  const controller = new AbortController();
  const common = {
    trialRange: input.trialRange,
    maxTrialsPerBatch: input.maxTrialsPerBatch,
    signal: controller.signal,
    onProgress: (p: Progress) => {
      Atomics.store(flags, 1 + input.index, p.completedSteps);
      if (Atomics.load(flags, 0) === 1) controller.abort();
    },
  };
  try {
    const recording =
      input.job.engine === 'meso' ? simulateMeso(input.scenario, { ...input.job.options, ...common }) : simulateMicroCpu(input.scenario, common);
    parentPort!.postMessage({ type: 'done', recording } satisfies WorkerMessage);
  } catch (error) {
    parentPort!.postMessage({ type: 'error', message: (error as Error).message } satisfies WorkerMessage);
  }
}
