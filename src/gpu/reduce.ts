/**
 * Count, sum, mean and variance of a row-major float32 matrix [rows × cols] that stays on the
 * GPU: across trials (axis 0, one result per column), across neurons or bins (axis 1, one
 * result per row) or over everything ('all'). Engines keep B×T data on the GPU; copying it to
 * the host to average it would cost more than the simulation step that produced it.
 *
 * Stable in float32 (Welford partials about a per-result shift, merged with Chan et al.'s
 * formula; shaders/reduce.wgsl describes the partials and the passes, and why the shift),
 * sized for any shape the adapter can bind: passes
 * with more than maxComputeWorkgroupsPerDimension workgroups run on a 2-D grid. A reduction is
 * recorded into one command encoder and submitted once.
 */
import type { AdapterSummary, GpuContext } from './device';
import { GpuDeviceError } from './device';
import { checkBindingSizeWithin, createStorageBuffer, createUniformBuffer, encodeReadback } from './buffers';
import { dispatchGrid, gridFor, type Grid } from './dispatch';
import { bindBuffers, createComputeKernel, type ComputeKernel } from './wgsl';
import gridLib from '../../shaders/lib/grid.wgsl?raw';
import reduceKernel from '../../shaders/reduce.wgsl?raw';

export type ReduceAxis = 0 | 1 | 'all';

export interface ReduceResult {
  /** Elements per result; exact. */
  count: Uint32Array;
  /** mean · count in float32, not an accumulated sum: spike counts give a sum within float32 rounding, not an exact integer. */
  sum: Float32Array;
  mean: Float32Array;
  /** Unbiased (divides by count − 1); NaN where count < 2. */
  variance: Float32Array;
}

/** Bytes per result record on the GPU: {count: u32, sum: f32, mean: f32, variance: f32}. */
export const REDUCE_RECORD_BYTES = 16;
const PARTIAL_BYTES = 16;

/** Invocations per workgroup: the most that compatibility-mode adapters allow. */
const WG = 128;
/** Items one axis-1 workgroup folds: 16 per invocation before the tree merge. */
const ROW_CHUNK = WG * 16;
/**
 * Axis 0 wants about this many invocations in flight; with few columns the rows are split
 * into blocks to get there. Enough to fill a large GPU, few enough that merge passes stay short.
 */
const TARGET_THREADS = 1 << 16;
/**
 * Rows one axis-0 invocation folds sequentially. The lower bound keeps merge passes few (each
 * divides the rows by at least 16); the upper bound keeps the sequential Welford chains short,
 * since their rounding errors add up with length while tree merges stay shallow.
 */
const MIN_ROWS_PER_THREAD = 16;
const MAX_ROWS_PER_THREAD = 256;

export type ReduceKernelName = 'rows_values' | 'rows_partials' | 'cols_values' | 'cols_partials' | 'finalize';
const KERNEL_NAMES: readonly ReduceKernelName[] = ['rows_values', 'rows_partials', 'cols_values', 'cols_partials', 'finalize'];

export interface ReducePass {
  kernel: ReduceKernelName;
  /** The kernel's uniform parameters (four u32, see the *Params structs in shaders/reduce.wgsl). */
  params: [number, number, number, number];
  /** Workgroups needed, and the (possibly 2-D) grid that runs them. */
  workgroups: number;
  grid: Grid;
  /** Partials (or, for finalize, records) written. */
  outputs: number;
}

export interface ReductionPlan {
  rows: number;
  cols: number;
  axis: ReduceAxis;
  /** Results: cols for axis 0, rows for axis 1, 1 for 'all'. */
  results: number;
  /** Partial passes in order, then finalize. */
  passes: ReducePass[];
  /** Sizes of the two scratch buffers that the partial passes alternate between. */
  scratchBytes: [number, number];
}

export type ReduceLimits = Pick<
  AdapterSummary['limits'],
  'maxComputeWorkgroupsPerDimension' | 'maxStorageBufferBindingSize'
>;

function positiveInteger(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`reduce: ${name} must be a positive integer, got ${v}`);
}

/**
 * The passes a reduction will run, and a clear error when the adapter cannot bind its data.
 * Pure, so tests can plan for shapes and limits they never allocate.
 */
export function planReduction(rows: number, cols: number, axis: ReduceAxis, limits: ReduceLimits): ReductionPlan {
  positiveInteger('rows', rows);
  positiveInteger('cols', cols);
  if (axis !== 0 && axis !== 1 && axis !== 'all') throw new RangeError(`reduce: axis must be 0, 1 or 'all', got ${String(axis)}`);
  const elements = rows * cols;
  // The kernels index with u32.
  if (elements > 0xffffffff) throw new RangeError(`reduce: ${rows} × ${cols} elements exceed 2^32 − 1, the kernels' index range`);
  checkBindingSizeWithin(limits, 4 * elements, `reduction input (${rows} × ${cols} float32)`);

  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  const passes: ReducePass[] = [];
  const push = (kernel: ReduceKernelName, params: ReducePass['params'], workgroups: number, outputs: number): void => {
    passes.push({ kernel, params, workgroups, grid: gridFor(workgroups, maxDim), outputs });
  };

  let results: number;
  if (axis === 0) {
    results = cols;
    let kernel: ReduceKernelName = 'cols_values';
    let height = rows;
    for (;;) {
      const wanted = Math.ceil(TARGET_THREADS / cols);
      let chunks = Math.min(wanted, Math.ceil(height / MIN_ROWS_PER_THREAD));
      chunks = Math.max(1, chunks, Math.ceil(height / MAX_ROWS_PER_THREAD));
      // A pass that fits in one workgroup gains nothing from another pass after it.
      if (chunks * cols <= WG && height <= MAX_ROWS_PER_THREAD) chunks = 1;
      const perThread = Math.ceil(height / chunks);
      chunks = Math.ceil(height / perThread);
      push(kernel, [height, cols, perThread, chunks], Math.ceil((chunks * cols) / WG), chunks * cols);
      if (chunks === 1) break;
      height = chunks;
      kernel = 'cols_partials';
    }
  } else {
    // 'all' is axis 1 of a 1 × (rows·cols) view of the same buffer.
    const segments = axis === 1 ? rows : 1;
    results = segments;
    let kernel: ReduceKernelName = 'rows_values';
    let len = axis === 1 ? cols : elements;
    for (;;) {
      const chunks = Math.ceil(len / ROW_CHUNK);
      push(kernel, [segments, len, ROW_CHUNK, chunks], segments * chunks, segments * chunks);
      if (chunks === 1) break;
      len = chunks;
      kernel = 'rows_partials';
    }
  }
  push('finalize', [results, 0, 0, 0], Math.ceil(results / WG), results);

  const partialPasses = passes.length - 1;
  const scratchBytes: [number, number] = [0, 0];
  for (let i = 0; i < partialPasses; i++) {
    scratchBytes[i % 2] = Math.max(scratchBytes[i % 2], PARTIAL_BYTES * passes[i].outputs);
  }
  // Results first: when both are too large, the results are what the caller can act on.
  checkBindingSizeWithin(limits, REDUCE_RECORD_BYTES * results, `reduction results (${results} records)`);
  checkBindingSizeWithin(limits, Math.max(...scratchBytes), `reduction partials (${rows} × ${cols}, axis ${axis})`);
  return { rows, cols, axis, results, passes, scratchBytes };
}

type ReduceKernels = Record<ReduceKernelName, ComputeKernel>;
const kernels = new WeakMap<GPUDevice, Promise<ReduceKernels>>();

function reduceKernelsFor(ctx: GpuContext): Promise<ReduceKernels> {
  let k = kernels.get(ctx.device);
  if (!k) {
    const parts = [
      { name: 'lib/grid.wgsl', code: gridLib },
      { name: 'reduce.wgsl', code: reduceKernel },
    ];
    k = Promise.all(
      KERNEL_NAMES.map((name) => createComputeKernel(ctx, { label: `reduce ${name}`, parts, entryPoint: name })),
    ).then((list) => Object.fromEntries(KERNEL_NAMES.map((name, i) => [name, list[i]])) as ReduceKernels);
    kernels.set(ctx.device, k);
  }
  return k;
}

function requireStorage(buffer: GPUBuffer, bytes: number, what: string): void {
  if ((buffer.usage & GPUBufferUsage.STORAGE) === 0) {
    throw new GpuDeviceError(`reduce: the ${what} buffer "${buffer.label}" lacks STORAGE usage`);
  }
  if (buffer.size < bytes) {
    throw new GpuDeviceError(`reduce: the ${what} buffer "${buffer.label}" has ${buffer.size} bytes, needs ${bytes}`);
  }
}

/**
 * Records a reduction of `input` (rows × cols float32, from offset 0) into `encoder`, writing
 * `plan.results` records of REDUCE_RECORD_BYTES ({count: u32, sum, mean, variance: f32}, in
 * result order) to `output`. For engines that fold the reduction into their own encoder.
 * Call `release` after submitting the encoder: it frees the scratch buffers, which must
 * outlive the recording.
 */
export async function encodeReduction(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  input: GPUBuffer,
  rows: number,
  cols: number,
  axis: ReduceAxis,
  output: GPUBuffer,
): Promise<{ plan: ReductionPlan; release: () => void }> {
  const plan = planReduction(rows, cols, axis, ctx.summary.limits);
  requireStorage(input, 4 * rows * cols, 'input');
  requireStorage(output, REDUCE_RECORD_BYTES * plan.results, 'output');
  const k = await reduceKernelsFor(ctx);

  const temporaries: GPUBuffer[] = [];
  const release = (): void => {
    for (const b of temporaries) b.destroy();
  };
  try {
    const scratch = plan.scratchBytes.map((bytes, i) => {
      const b = createStorageBuffer(ctx, Math.max(bytes, PARTIAL_BYTES), `reduce scratch ${i}`);
      temporaries.push(b);
      return b;
    });
    const pass = encoder.beginComputePass({ label: `reduce ${rows}×${cols} axis ${axis}` });
    plan.passes.forEach((p, i) => {
      const uniform = createUniformBuffer(ctx, new Uint32Array(p.params), `reduce ${p.kernel} params`);
      temporaries.push(uniform);
      const source = i === 0 ? input : scratch[(i - 1) % 2];
      const target = p.kernel === 'finalize' ? output : scratch[i % 2];
      pass.setPipeline(k[p.kernel].pipeline);
      pass.setBindGroup(0, bindBuffers(ctx, k[p.kernel], [uniform, source, target], `reduce ${p.kernel}`));
      dispatchGrid(pass, p.grid);
    });
    pass.end();
  } catch (error) {
    release();
    throw error;
  }
  return { plan, release };
}

/**
 * Reduces on the GPU into a records buffer (see encodeReduction) that stays there; one submit.
 * Without `output`, a new buffer is returned and belongs to the caller.
 */
export async function reduceMatrixToBuffer(
  ctx: GpuContext,
  input: GPUBuffer,
  rows: number,
  cols: number,
  axis: ReduceAxis,
  output?: GPUBuffer,
): Promise<GPUBuffer> {
  let created: GPUBuffer | undefined;
  try {
    return await ctx.checked(`reduce ${rows}×${cols} axis ${axis}`, async () => {
      const plan = planReduction(rows, cols, axis, ctx.summary.limits);
      const target = output ?? (created = createStorageBuffer(ctx, REDUCE_RECORD_BYTES * plan.results, 'reduce results'));
      const encoder = ctx.device.createCommandEncoder({ label: 'reduce' });
      const { release } = await encodeReduction(ctx, encoder, input, rows, cols, axis, target);
      ctx.device.queue.submit([encoder.finish()]);
      release();
      return target;
    });
  } catch (error) {
    created?.destroy();
    throw error;
  }
}

/** Splits records {count, sum, mean, variance} into arrays. */
export function unpackReduceRecords(data: ArrayBuffer, results: number): ReduceResult {
  const words = new Uint32Array(data, 0, 4 * results);
  const floats = new Float32Array(data, 0, 4 * results);
  const out: ReduceResult = {
    count: new Uint32Array(results),
    sum: new Float32Array(results),
    mean: new Float32Array(results),
    variance: new Float32Array(results),
  };
  for (let i = 0; i < results; i++) {
    out.count[i] = words[4 * i];
    out.sum[i] = floats[4 * i + 1];
    out.mean[i] = floats[4 * i + 2];
    out.variance[i] = floats[4 * i + 3];
  }
  return out;
}

/** Reduces on the GPU and reads back only the results: one submit, no B×T copy to the host. */
export async function reduceMatrix(
  ctx: GpuContext,
  input: GPUBuffer,
  rows: number,
  cols: number,
  axis: ReduceAxis,
): Promise<ReduceResult> {
  return ctx.checked(`reduce ${rows}×${cols} axis ${axis}`, async () => {
    const plan = planReduction(rows, cols, axis, ctx.summary.limits);
    const bytes = REDUCE_RECORD_BYTES * plan.results;
    const target = createStorageBuffer(ctx, bytes, 'reduce results');
    try {
      const encoder = ctx.device.createCommandEncoder({ label: 'reduce' });
      const { release } = await encodeReduction(ctx, encoder, input, rows, cols, axis, target);
      const read = encodeReadback(ctx, encoder, target, bytes);
      ctx.device.queue.submit([encoder.finish()]);
      release();
      return unpackReduceRecords(await read(), plan.results);
    } finally {
      target.destroy();
    }
  });
}
