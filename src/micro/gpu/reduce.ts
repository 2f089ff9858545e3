/**
 * record.trials 'stats', at the end of a batch: every recorded [T × rows × bins] array reduced on
 * the GPU to its per-bin trial statistics and its per-trial averages (kernels/reduceTrials.wgsl),
 * in one submission, so that the host reads back rows × bins numbers per quantity (and T
 * averages) instead of the arrays. readback.ts turns them into the Recording's statistics.
 */
import type { GpuContext } from '../../gpu/device';
import type { BatchResources } from './allocate';
import { encodeDispatch } from './kernels/kernel';
import { reduceTrialsDispatches } from './kernels/reduceTrials';
import type { GpuPlan, GpuQuantity } from './plan';

/** The batch buffer that holds a quantity's per-trial array. */
export function quantitySource(b: BatchResources, q: GpuQuantity): GPUBuffer {
  if (q.kind === 'stp') return b.projections[q.index].recordedStp;
  const pop = b.populations[q.index];
  return q.kind === 'activity' ? pop.activity : q.kind === 'sampled' ? pop.sampled : pop.mean;
}

/** Reduces the first `bins` bins of every quantity into b.binStats and b.trialAverages (quantity k's averages from k·T). */
export async function reduceBatch(ctx: GpuContext, plan: GpuPlan, b: BatchResources, bins: number): Promise<void> {
  if (bins === 0) return;
  const dispatches = (
    await Promise.all(
      plan.quantities.map((q, k) =>
        reduceTrialsDispatches(b.setup, q, bins, k * b.T, { src: quantitySource(b, q), stats: b.binStats, averages: b.trialAverages }),
      ),
    )
  ).flat();
  const encoder = ctx.device.createCommandEncoder({ label: 'micro-gpu trial statistics' });
  const pass = encoder.beginComputePass({ label: 'micro-gpu trial statistics' });
  for (const d of dispatches) encodeDispatch(pass, d);
  pass.end();
  await ctx.checked('micro-gpu trial statistics', async () => {
    ctx.device.queue.submit([encoder.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
  });
}
