/** record.trials 'stats': a batch's per-bin trial statistics and per-trial averages, on the GPU (reduceTrials.wgsl). */
import { GRID_WGSL, wgslStruct } from '../../../gpu/wgsl';
import type { GpuQuantity } from '../plan';
import { defineKernel, prepareDispatch, type Dispatch, type KernelSetup } from './kernel';
import { ENGINE_WGSL } from './library';
import { THREAD_SUM_MAX } from './recordInputMean';
import code from './reduceTrials.wgsl?raw';

export const ReduceParams = wgslStruct('ReduceParams', {
  T: 'u32',
  rows: 'u32',
  /** Bins to reduce (the completed ones), and the bins each row of the array has room for. */
  bins: 'u32',
  totalBins: 'u32',
  /** Element of the first trial's first row, and elements from one trial to the next. */
  base: 'u32',
  trialStride: 'u32',
  /** Where the means go in `stats` (the M2 follow rows × bins later), and the averages in `averages`. */
  out: 'u32',
  averagesOut: 'u32',
});

export const reduceTrials = defineKernel({
  name: 'reduceTrials',
  params: ReduceParams,
  bindings: ['src', 'stats', 'averages'],
  entryPoints: ['main', 'main_thread', 'trial_averages'],
  parts: [GRID_WGSL, ...ENGINE_WGSL, ReduceParams.part, { name: 'kernels/reduceTrials.wgsl', code }],
});

/** Where a quantity lies in its per-trial buffer: its first element and the stride between trials (elements). */
export function quantityLayout(q: GpuQuantity, T: number, totalBins: number): { base: number; trialStride: number } {
  // Sampled inputs are [T × rows × bins]; recorded STP means [variables × T × bins]; the others [T × bins].
  if (q.kind === 'stp') return { base: q.variable * T * totalBins, trialStride: totalBins };
  return { base: 0, trialStride: q.rows * totalBins };
}

/**
 * The two dispatches of one quantity over the first `bins` bins of a batch of T trials: the
 * per-bin statistics, written from the quantity's statsOffset, and the per-trial averages,
 * written from `averagesOut`.
 */
export async function reduceTrialsDispatches(
  setup: KernelSetup,
  q: GpuQuantity,
  bins: number,
  averagesOut: number,
  buffers: Record<(typeof reduceTrials.bindings)[number], GPUBuffer>,
): Promise<Dispatch[]> {
  const { plan, T } = setup;
  const { base, trialStride } = quantityLayout(q, T, plan.totalBins);
  const params = setup.uniform(
    ReduceParams,
    { T, rows: q.rows, bins, totalBins: plan.totalBins, base, trialStride, out: q.statsOffset, averagesOut },
    `${q.kind} ${q.index}.${q.variable} reduction parameters`,
  );
  const constants = { COUNTS: q.kind === 'activity' };
  const entries = q.rows * bins;
  const thread = T <= THREAD_SUM_MAX;
  const label = `${q.kind} ${q.index}.${q.variable} trial statistics`;
  return [
    await prepareDispatch(setup, reduceTrials, {
      params,
      buffers: { src: buffers.src, stats: buffers.stats },
      label,
      constants,
      entryPoint: thread ? 'main_thread' : 'main',
      grid: thread ? setup.grid(entries) : setup.grid(entries, 1),
    }),
    await prepareDispatch(setup, reduceTrials, {
      params,
      buffers: { src: buffers.src, averages: buffers.averages },
      label: `${label}: trial averages`,
      constants,
      entryPoint: 'trial_averages',
      grid: setup.grid(T),
    }),
  ];
}
