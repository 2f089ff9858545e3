/**
 * Process entry of the bundled CLI (see vite.cli.config.ts and bin/mesostp.js). The same file
 * is the script of the CPU engines' worker threads: a worker started with workerData.mesostpWorker
 * runs its share of the trials instead of the command line.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { main } from './main';
import { runTrialWorker } from '../engines/trialThreads';

if (!isMainThread && (workerData as { mesostpWorker?: boolean } | null)?.mesostpWorker) {
  runTrialWorker();
} else {
  main(process.argv.slice(2), new URL(import.meta.url)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`mesostp: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
