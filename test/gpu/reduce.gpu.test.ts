import { afterAll, describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import type { GpuContext } from '../../src/gpu/device';
import { readBuffer, uploadStorageBuffer } from '../../src/gpu/buffers';
import {
  planReduction,
  reduceMatrix,
  reduceMatrixToBuffer,
  unpackReduceRecords,
  REDUCE_RECORD_BYTES,
  type ReduceAxis,
  type ReduceLimits,
  type ReduceResult,
} from '../../src/gpu/reduce';
import { philoxBlocksCpu, uniformsFromBits } from '../../src/rng/philoxBlocks';

// 1000 + U(0, 1): |mean| / sd ≈ 3500, so a sum-of-squares variance would lose every digit in
// float32. Rounded to float32 once here; the reference below works on these exact values.
const OFFSET = 1000;
const POOL = 3_000_000;
const pool = (() => {
  const u = uniformsFromBits(philoxBlocksCpu([20260401, 17], [0, 0, 0, 1], POOL / 4));
  const out = new Float32Array(POOL);
  for (let i = 0; i < POOL; i++) out[i] = OFFSET + u[i];
  return out;
})();

/** rows × cols values from the pool, starting at `start` (wrapping), so cases differ. */
function matrix(rows: number, cols: number, start: number): Float32Array {
  const n = rows * cols;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = pool[(start + i) % POOL];
  return out;
}

interface Reference {
  count: number[];
  mean: Float64Array;
  variance: Float64Array;
}

/** Two-pass float64 statistics along `axis`: the exact answer for practical purposes. */
function reference(data: Float32Array, rows: number, cols: number, axis: ReduceAxis): Reference {
  // Result k gathers elements base(k) + j·step, j < len.
  const [results, len, base, step] =
    axis === 0 ? [cols, rows, (k: number) => k, cols] : axis === 1 ? [rows, cols, (k: number) => k * cols, 1] : [1, rows * cols, () => 0, 1];
  const count: number[] = [];
  const mean = new Float64Array(results);
  const variance = new Float64Array(results);
  for (let k = 0; k < results; k++) {
    const b = base(k);
    let s = 0;
    for (let j = 0; j < len; j++) s += data[b + j * step];
    const m = s / len;
    let ss = 0;
    for (let j = 0; j < len; j++) {
      const d = data[b + j * step] - m;
      ss += d * d;
    }
    count.push(len);
    mean[k] = m;
    variance[k] = len < 2 ? NaN : ss / (len - 1);
  }
  return { count, mean, variance };
}

// float32 tolerances, relative to the scale of each quantity:
//   |mean_gpu − mean| ≤ TOL_MEAN · (|mean| + sd),   |sum_gpu − n·mean| ≤ TOL_SUM · n · (|mean| + sd),
//   |var_gpu − var| ≤ TOL_VAR · var.
// float32 has ε = 2^-24 ≈ 6.0e-8. A float32 mean cannot be better than half an ulp of itself
// (3.05e-8 of 1000.5); the worst measured, on lavapipe through Vulkan and through OpenGL, are
// 5.8e-8 (mean), 8.1e-8 (sum, one more rounding of mean·n) and 3.3e-7 (variance: shifted
// Welford/Chan keeps it to a few ε). The bounds are 8–9× those, for other GPUs' division and
// FMA rounding (and data whose values spread wider than sd suggests: multi-level rows gave
// 2.1e-7 for the mean in a trial run), and still catch the failures that matter: Σx² − n·mean²
// (variance error ~ ε·|mean|²/var ≈ 1 here) and Welford without a per-result shift (variance
// error ~ ε·|mean − shift|/sd: 2.3e-4 without any shift, ≥ 2e-5 with one shift for all
// results, both measured with deliberately broken kernels).
const TOL_MEAN = 5e-7;
const TOL_SUM = 6.5e-7;
const TOL_VAR = 3e-6;

const worst = { mean: 0, meanPerSd: 0, variance: 0, sum: 0 };

function compare(gpu: ReduceResult, ref: Reference, what: string): void {
  const results = ref.count.length;
  expect(gpu.count.length, what).toBe(results);
  expect(Array.from(gpu.count), `${what}: counts`).toEqual(ref.count);
  let bad = '';
  for (let k = 0; k < results && !bad; k++) {
    const n = ref.count[k];
    const sd = n < 2 ? 0 : Math.sqrt(ref.variance[k]);
    const scale = Math.abs(ref.mean[k]) + sd;
    const eMean = Math.abs(gpu.mean[k] - ref.mean[k]) / scale;
    const eSum = Math.abs(gpu.sum[k] - n * ref.mean[k]) / (n * scale);
    worst.mean = Math.max(worst.mean, eMean);
    worst.sum = Math.max(worst.sum, eSum);
    if (sd > 0) worst.meanPerSd = Math.max(worst.meanPerSd, Math.abs(gpu.mean[k] - ref.mean[k]) / sd);
    if (eMean > TOL_MEAN) bad = `result ${k}: mean ${gpu.mean[k]} vs ${ref.mean[k]} (relative error ${eMean})`;
    else if (eSum > TOL_SUM) bad = `result ${k}: sum ${gpu.sum[k]} vs ${n * ref.mean[k]} (relative error ${eSum})`;
    else if (n < 2) {
      if (!Number.isNaN(gpu.variance[k])) bad = `result ${k}: variance of one value should be NaN, got ${gpu.variance[k]}`;
    } else {
      const eVar = Math.abs(gpu.variance[k] - ref.variance[k]) / ref.variance[k];
      worst.variance = Math.max(worst.variance, eVar);
      if (eVar > TOL_VAR) bad = `result ${k}: variance ${gpu.variance[k]} vs ${ref.variance[k]} (relative error ${eVar})`;
    }
  }
  expect(bad, what).toBe('');
}

async function check(ctx: GpuContext, rows: number, cols: number, axis: ReduceAxis, start: number): Promise<void> {
  const data = matrix(rows, cols, start);
  const input = uploadStorageBuffer(ctx, data, `reduce test ${rows}×${cols}`);
  try {
    const gpu = await reduceMatrix(ctx, input, rows, cols, axis);
    compare(gpu, reference(data, rows, cols, axis), `${rows}×${cols} axis ${axis}`);
  } finally {
    input.destroy();
  }
}

const N = [1, 63, 64, 65, 1_000_000];
const SQUARE_AND_SKEWED: [number, number][] = [
  [1000, 1000],
  [7, 130_000],
  [130_000, 7],
];

describe('GPU reductions (count, sum, mean, variance of a float32 matrix)', () => {
  it('axis 1 (across a row) matches a float64 two-pass reference', async () => {
    const ctx = await testGpu();
    let start = 0;
    for (const n of N) await check(ctx, 1, n, 1, (start += 7919));
    for (const [r, c] of [[3, 2049], ...SQUARE_AND_SKEWED] as [number, number][]) await check(ctx, r, c, 1, (start += 7919));
  });

  it('axis 0 (across trials, strided) matches a float64 two-pass reference', async () => {
    const ctx = await testGpu();
    let start = 5;
    for (const n of N) await check(ctx, n, 3, 0, (start += 7919));
    for (const [r, c] of [[65, 1], ...SQUARE_AND_SKEWED] as [number, number][]) await check(ctx, r, c, 0, (start += 7919));
  });

  it("'all' reduces every element to one result", async () => {
    const ctx = await testGpu();
    let start = 11;
    for (const [r, c] of [[1, 1], [63, 1], [1, 65], [8, 8], ...SQUARE_AND_SKEWED] as [number, number][]) {
      await check(ctx, r, c, 'all', (start += 7919));
    }
  });

  it('shifts each result by its own first element (rows or columns at offsets from −8000 to 8000)', async () => {
    // Within a result the spread is U(0, 1); between results the offsets differ by up to
    // 16000. One shift for all results would leave |mean − shift| / sd up to ~5·10^4 and
    // variance errors beyond TOL_VAR.
    const ctx = await testGpu();
    const [rows, cols] = [300, 500];
    for (const axis of [0, 1] as const) {
      const data = matrix(rows, cols, 31337 + axis);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) data[r * cols + c] += 2000 * ((axis === 0 ? c : r) % 9) - 8000 - OFFSET;
      }
      const input = uploadStorageBuffer(ctx, data, 'reduce test offsets');
      try {
        compare(await reduceMatrix(ctx, input, rows, cols, axis), reference(data, rows, cols, axis), `offsets, axis ${axis}`);
      } finally {
        input.destroy();
      }
    }
  });

  it('runs a pass of more than 65535 workgroups on a 2-D grid (70000 rows × 16 along axis 1)', async () => {
    const ctx = await testGpu();
    const plan = planReduction(70_000, 16, 1, ctx.summary.limits);
    const biggest = Math.max(...plan.passes.map((p) => p.workgroups));
    expect(biggest).toBeGreaterThan(65_535);
    if (ctx.summary.limits.maxComputeWorkgroupsPerDimension < biggest) {
      expect(Math.max(...plan.passes.map((p) => p.grid.y))).toBeGreaterThan(1);
    }
    await check(ctx, 70_000, 16, 1, 424_242);
  });

  it('writes records to a GPU buffer without a readback, in the layout reduceMatrix unpacks', async () => {
    const ctx = await testGpu();
    const [rows, cols] = [50, 300];
    const data = matrix(rows, cols, 99);
    const input = uploadStorageBuffer(ctx, data, 'reduce test input');
    const output = await reduceMatrixToBuffer(ctx, input, rows, cols, 0);
    try {
      expect(output.size).toBeGreaterThanOrEqual(cols * REDUCE_RECORD_BYTES);
      const records = await readBuffer(ctx, output, cols * REDUCE_RECORD_BYTES);
      compare(unpackReduceRecords(records, cols), reference(data, rows, cols, 0), 'reduceMatrixToBuffer');
    } finally {
      input.destroy();
      output.destroy();
    }
  });

  it('rejects an input buffer smaller than rows × cols', async () => {
    const ctx = await testGpu();
    const input = uploadStorageBuffer(ctx, new Float32Array(100), 'small input');
    try {
      await expect(reduceMatrix(ctx, input, 10, 20, 1)).rejects.toThrow(/has 400 bytes, needs 800/);
    } finally {
      input.destroy();
    }
  });

  afterAll(() => {
    console.log(
      `[reduce] worst errors: mean ${worst.mean.toExponential(2)} of |mean|+sd (${worst.meanPerSd.toExponential(2)} of sd), ` +
        `sum ${worst.sum.toExponential(2)} of n·(|mean|+sd), variance ${worst.variance.toExponential(2)} relative`,
    );
  });
});

describe('reduction plans', () => {
  const limits: ReduceLimits = { maxComputeWorkgroupsPerDimension: 65_535, maxStorageBufferBindingSize: 128 * 2 ** 20 };

  it('ends in one result per row, per column, or one in all', () => {
    for (const [rows, cols] of [[1, 1], [1, 1_000_000], [1_000_000, 3], [1000, 1000], [7, 130_000], [130_000, 7]]) {
      for (const axis of [0, 1, 'all'] as ReduceAxis[]) {
        const plan = planReduction(rows, cols, axis, limits);
        const expected = axis === 0 ? cols : axis === 1 ? rows : 1;
        expect(plan.results).toBe(expected);
        const last = plan.passes[plan.passes.length - 1];
        expect(last.kernel).toBe('finalize');
        expect(plan.passes[plan.passes.length - 2].outputs).toBe(expected);
        expect(plan.passes.length).toBeLessThanOrEqual(6);
      }
    }
  });

  it('lays more than maxComputeWorkgroupsPerDimension workgroups out in 2-D', () => {
    const plan = planReduction(70_000, 16, 1, limits);
    expect(plan.passes[0].workgroups).toBe(70_000);
    expect(plan.passes[0].grid).toEqual({ x: 65_535, y: 2, workgroups: 70_000 });
    // Axis 0 on very wide data also needs a 2-D grid for its threads (and more than 128 MiB
    // for its 16-byte records).
    const wide = planReduction(2, 10_000_000, 0, { ...limits, maxStorageBufferBindingSize: 2 ** 30 });
    expect(wide.passes[0].workgroups).toBeGreaterThan(65_535);
    expect(wide.passes[0].grid.y).toBeGreaterThan(1);
  });

  it('names the limit when the input cannot be bound', () => {
    expect(() => planReduction(100_000, 1000, 0, limits)).toThrow(
      /reduction input \(100000 × 1000 float32\) needs 400000000 bytes.*allows 134217728 \(maxStorageBufferBindingSize\)/,
    );
    // The input fits, the per-row records (16 bytes for 4 input bytes) do not.
    expect(() => planReduction(2 ** 25, 1, 1, limits)).toThrow(/reduction results .* \(maxStorageBufferBindingSize\)/);
    expect(() => planReduction(0, 5, 1, limits)).toThrow(/rows must be a positive integer/);
  });
});
