/**
 * Runs the population equations (meso, macro: the registry's variants whose engine runs in a
 * browser worker) off the page's thread: a meso run of a thousand trials takes tens of
 * seconds, and the page must keep drawing and answering Cancel meanwhile.
 * Cancel aborts at the engine's next chunk, which returns the completed steps.
 */
import { engine, isVariantId, runVariant, variant } from '../../engines';
import type { FromWorker, ToWorker } from './workerProtocol';
import { MESO_CHUNK_STEPS, recordingBuffers } from './workerProtocol';

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
let controller: AbortController | null = null;

/** Progress is posted at most this often: the engine reports every chunk, the page redraws less often. */
const PROGRESS_INTERVAL_MS = 100;

scope.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'cancel') {
    controller?.abort();
    return;
  }
  controller = new AbortController();
  let last = 0;
  try {
    if (!isVariantId(msg.variant) || !engine(variant(msg.variant).engine).capabilities.browserWorker)
      throw new Error(`the worker runs the engines that run in a browser worker (meso, macro), not ${msg.variant}`);
    const recording = await runVariant(msg.variant, msg.scenario, {
      signal: controller.signal,
      chunkSteps: MESO_CHUNK_STEPS,
      onProgress: (progress) => {
        const now = performance.now();
        if (now - last < PROGRESS_INTERVAL_MS && progress.fraction < 1) return;
        last = now;
        scope.postMessage({ type: 'progress', progress });
      },
    });
    scope.postMessage({ type: 'done', recording }, recordingBuffers(recording));
  } catch (error) {
    scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
