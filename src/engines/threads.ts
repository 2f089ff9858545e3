/**
 * The `threads` option of the CPU engines (micro-cpu, meso): how many worker threads a run gets,
 * and the hand-over to ./trialThreads. Worker threads are Node's: `import.meta.env.SSR` is true in
 * the CLI bundle and under vitest, false in the browser bundle, which so leaves node:os and
 * node:worker_threads out.
 */
import type { Recording } from '../model/recording';
import type { Scenario } from '../model/scenario';
import type { ThreadJob } from './trialThreads';
import type { EngineContext, OptionSpec } from './types';

export const threadsOption: OptionSpec = {
  name: 'threads',
  metavar: 'K',
  description: 'worker threads for the trials',
  integer: { min: 1, auto: true },
  default: 1,
};

/** "auto": one thread per core. */
async function coreCount(): Promise<number> {
  if (import.meta.env.SSR) return (await import('node:os')).availableParallelism();
  return (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1;
}

/** The threads a run gets: as asked, but never more than its trials. */
export async function threadCount(asked: number | 'auto' | undefined, scenario: Scenario, ctx: EngineContext): Promise<number> {
  const n = asked === 'auto' ? await coreCount() : (asked ?? 1);
  const range = ctx.trialRange ?? [0, scenario.run.trials];
  return Math.max(1, Math.min(n, range[1] - range[0]));
}

/** Runs `job` on `threads` worker threads (Node only), the trials split between them. */
export async function runOnThreads(scenario: Scenario, job: ThreadJob, threads: number, ctx: EngineContext): Promise<Recording> {
  if (!ctx.workerScript) throw new Error(`${job.engine} with threads > 1 needs a workerScript (the CLI provides its own)`);
  if (!import.meta.env.SSR) throw new Error(`${job.engine} runs on worker threads in Node only`);
  const { simulateOnThreads } = await import('./trialThreads');
  return simulateOnThreads(scenario, job, {
    threads,
    trialRange: ctx.trialRange,
    workerScript: ctx.workerScript,
    onProgress: ctx.onProgress,
    signal: ctx.signal,
    maxTrialsPerBatch: ctx.maxTrialsPerBatch,
  });
}
