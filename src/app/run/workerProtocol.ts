/** Messages between the page and the worker that runs the population equations (./mesoWorker.ts). */
import type { VariantId } from '../../engines';
import type { Progress, Recording } from '../../model/recording';
import type { Scenario } from '../../model/scenario';

/**
 * Steps between progress reports and cancel checks of the population equations in the app, in
 * the worker and on the page's device: fewer than the engines' defaults, so that Cancel answers
 * within a fraction of a second.
 */
export const MESO_CHUNK_STEPS = 200;

/** run: the registry variant to run (one whose engine runs in a browser worker). */
export type ToWorker = { type: 'run'; scenario: Scenario; variant: VariantId } | { type: 'cancel' };

export type FromWorker = { type: 'progress'; progress: Progress } | { type: 'done'; recording: Recording } | { type: 'error'; message: string };

/** The typed arrays of a recording, to transfer instead of copy. */
export function recordingBuffers(r: Recording): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [
    ...Object.values(r.activity),
    ...Object.values(r.inputs).flatMap((i) => [i.neurons, i.sampled, i.populationMean]),
    ...Object.values(r.stp).flatMap((v) => Object.values(v)),
    ...Object.values(r.spikes).flatMap((s) => [s.neurons, s.trial, s.neuron, s.time]),
    ...[
      ...Object.values(r.stats.activity),
      ...Object.values(r.stats.inputs).flatMap((i) => [i.sampled, i.populationMean]),
      ...Object.values(r.stats.stp).flatMap((v) => Object.values(v)),
    ].flatMap((s) => [s.mean, s.m2]),
  ];
  const seen = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) seen.add(a.buffer);
  return [...seen];
}
