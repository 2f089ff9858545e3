/**
 * micro-cpu over worker threads: trials are independent (each draws from its own Philox
 * counters), so splitting them into contiguous ranges, one per worker, gives recordings
 * identical to a single-threaded run (under record.trials 'stats', statistics equal to
 * rounding: the workers' merge by Chan's update). Cancellation and progress cross threads through a
 * SharedArrayBuffer: the main thread raises a flag, each worker checks it between chunks
 * of steps (via its progress callback), and the merged recording is cut to the steps every
 * worker completed.
 */
import { Worker, parentPort, workerData } from 'node:worker_threads';
import type { Progress, Recording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';
import { simulateMicroCpu } from './index';
import { mergeRecordings } from '../../model/mergeRecordings';

interface WorkerInput {
  mesostpWorker: true;
  scenario: Scenario;
  trialRange: [number, number];
  maxTrialsPerBatch?: number;
  /** [0]: abort flag; [1 + w]: completed steps of worker w. */
  shared: SharedArrayBuffer;
  index: number;
}

type WorkerMessage = { type: 'done'; recording: Recording } | { type: 'error'; message: string };

export interface ParallelOptions {
  threads: number;
  workerScript: URL;
  /** Only these trials (global indices; default every trial). */
  trialRange?: [number, number];
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** record.trials 'stats': an upper bound on the trials of each worker's batches (simulateMicroCpu). */
  maxTrialsPerBatch?: number;
}

/** Contiguous, nearly equal trial ranges, one per thread. */
export function splitTrials(trials: number, threads: number): [number, number][] {
  const n = Math.max(1, Math.min(threads, trials));
  const ranges: [number, number][] = [];
  for (let w = 0; w < n; w++) ranges.push([Math.floor((w * trials) / n), Math.floor(((w + 1) * trials) / n)]);
  return ranges;
}

export async function simulateMicroCpuParallel(scenario: Scenario, options: ParallelOptions): Promise<Recording> {
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
            const input: WorkerInput = { mesostpWorker: true, scenario, trialRange, maxTrialsPerBatch: options.maxTrialsPerBatch, shared, index };
            const worker = new Worker(options.workerScript, { workerData: input });
            worker.once('message', (m: WorkerMessage) => {
              if (m.type === 'done') resolve(m.recording);
              else reject(new Error(`micro-cpu worker ${index}: ${m.message}`));
              void worker.terminate();
            });
            worker.once('error', reject);
            worker.once('exit', (code) => {
              if (code !== 0) reject(new Error(`micro-cpu worker ${index} exited with code ${code}`));
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

/** Body of a worker thread (started by src/cli/entry.ts when workerData.mesostpWorker is set). */
export function runMicroCpuWorker(): void {
  const input = workerData as WorkerInput;
  const flags = new Int32Array(input.shared);
  const controller = new AbortController();
  try {
    const recording = simulateMicroCpu(input.scenario, {
      trialRange: input.trialRange,
      maxTrialsPerBatch: input.maxTrialsPerBatch,
      signal: controller.signal,
      onProgress: (p) => {
        Atomics.store(flags, 1 + input.index, p.completedSteps);
        if (Atomics.load(flags, 0) === 1) controller.abort();
      },
    });
    parentPort!.postMessage({ type: 'done', recording } satisfies WorkerMessage);
  } catch (error) {
    parentPort!.postMessage({ type: 'error', message: (error as Error).message } satisfies WorkerMessage);
  }
}
