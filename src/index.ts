/// <reference types="@webgpu/types" preserve="true" />
/**
 * mesostp as a library, for Node (the package's default export): everything of the browser
 * entry (./browser.ts), plus WebGPU through Dawn (`requestNodeGpu`), writing a recording's
 * files (`writeRecording`), and micro-cpu on worker threads (`threads: K`). docs/api.md describes
 * it with examples.
 *
 * The built module (dist/lib/index.js) is also the script of the CPU engines' worker threads, as the
 * CLI bundle is the CLI's: a worker started with workerData.mesostpWorker runs its share of
 * the trials and nothing else.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import type { Recording } from './model/recording';
import type { Scenario, ScenarioInput } from './model/scenario';
import { run as runAnywhere, type FullRunOptions } from './run';

export * from './browser';
export { requestNodeGpu } from './gpu/node';
export { writeRecording } from './io/recordingFiles';

if (!isMainThread && (workerData as { mesostpWorker?: boolean } | null)?.mesostpWorker) {
  void import('./engines/trialThreads').then((m) => m.runTrialWorker());
}

/** This module, when it is the built library (a .js file Node can start as a worker); not when it runs from source (vitest). */
const thisModule = new URL(import.meta.url);
const libraryWorker = thisModule.pathname.endsWith('.js') ? thisModule : undefined;

/**
 * Runs a scenario at one level and returns its Recording: the same typed arrays whatever the
 * level (docs/api.md). In Node, micro-gpu needs `gpu: await requestNodeGpu()`, and micro-cpu
 * spreads the trials over K worker threads with `threads: K`.
 */
export function run(input: Scenario | ScenarioInput, options: FullRunOptions): Promise<Recording> {
  return runAnywhere(input, { ...options, workerScript: options.workerScript ?? libraryWorker });
}
