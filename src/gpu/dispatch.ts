/**
 * Dispatch grids for more workgroups than one dimension allows.
 *
 * maxComputeWorkgroupsPerDimension is 65535 on most adapters. A 1-D job of W workgroups is
 * laid out as x = min(W, maxX) by y = ⌈W / x⌉; the kernel recovers its linear workgroup index
 * as wid.x + wid.y · num_workgroups.x and returns early past W (see shaders/lib/grid.wgsl).
 */
export interface Grid {
  x: number;
  y: number;
  /** Workgroups actually needed; the grid may hold up to x − 1 more. */
  workgroups: number;
}

export function gridFor(workgroups: number, maxPerDimension: number): Grid {
  if (!Number.isInteger(workgroups) || workgroups < 0) throw new RangeError(`workgroups must be a non-negative integer, got ${workgroups}`);
  if (workgroups === 0) return { x: 0, y: 0, workgroups };
  const x = Math.min(workgroups, maxPerDimension);
  const y = Math.ceil(workgroups / x);
  if (y > maxPerDimension) {
    throw new RangeError(`${workgroups} workgroups exceed this adapter's ${maxPerDimension}² two-dimensional dispatch; split the work into chunks`);
  }
  return { x, y, workgroups };
}

export function dispatchGrid(pass: GPUComputePassEncoder, grid: Grid): void {
  if (grid.workgroups > 0) pass.dispatchWorkgroups(grid.x, grid.y, 1);
}
