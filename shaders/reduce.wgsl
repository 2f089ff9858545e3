// Count, mean and variance of a row-major f32 matrix [rows × cols], per row (axis 1) or per
// column (axis 0), stable in float32: every stage carries Welford partial statistics and
// merges them with Chan, Golub & LeVeque's formula. Sums of squares are never formed; they
// cancel catastrophically as soon as |mean| ≫ sd (membrane potentials, offsets, rates).
//
// Partial (16 bytes): n (u32), mean (f32, relative to shift), m2 = Σ (x − mean)² (f32),
// shift (f32). All partials of one result share its shift, the result's first element
// (row 0 of a column, column 0 of a row). Welford and Chan without it still lose
// ~ε·|mean|/sd of the variance (2e-4 for 1000 + U(0, 1)): rounding the running mean to
// ulp(|mean|) enters m2 to first order. Shifted, the means are of the size of sd and the
// variance is good to a few ε; the shift is added back once, in finalize.
//
// Passes (planned in src/gpu/reduce.ts, all recorded in one command encoder):
//   axis 1, across a contiguous row: rows_values, then rows_partials until one partial per row.
//     One workgroup per (row, chunk): invocation t folds elements t, t + WG, t + 2·WG, ... of
//     the chunk (coalesced), then the workgroup merges its WG partials as a tree. Partial
//     row·chunks + chunk is written, a [rows × chunks] matrix that the next pass reduces again
//     along its rows.
//   axis 0, down a strided column: cols_values, then cols_partials until one partial per column.
//     One invocation per (column, block of rows), adjacent invocations on adjacent columns, so
//     each row step of a workgroup reads contiguous memory. Partial chunk·cols + column is
//     written, a [chunks × cols] matrix that the next pass reduces again down its columns.
//   finalize: one partial -> one record {count (u32), sum, mean, variance (f32 bits)}; the
//     variance is unbiased (m2 / (n − 1)), and a quiet NaN when n < 2.
//
// The entry points share binding numbers with different types (values or partials at 1,
// partials or records at 2); each pipeline only sees the variables its entry point uses.
// Needs lib/grid.wgsl.

struct Partial {
  n: u32,
  mean: f32,
  m2: f32,
  shift: f32,
}

// rows_*: `rows` segments of `len` items each, split into `chunks` chunks of `chunk_len`.
struct RowsParams {
  rows: u32,
  len: u32,
  chunk_len: u32,
  chunks: u32,
}

// cols_*: a [rows × cols] matrix; each invocation folds `rows_per_thread` rows of one column.
struct ColsParams {
  rows: u32,
  cols: u32,
  rows_per_thread: u32,
  chunks: u32,
}

struct FinalizeParams {
  count: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> rows_params: RowsParams;
@group(0) @binding(0) var<uniform> cols_params: ColsParams;
@group(0) @binding(0) var<uniform> finalize_params: FinalizeParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read> partials_in: array<Partial>;
@group(0) @binding(2) var<storage, read_write> partials_out: array<Partial>;
@group(0) @binding(2) var<storage, read_write> records: array<vec4<u32>>;

const WG: u32 = 128u;
const QUIET_NAN_BITS: u32 = 0x7fc00000u;

var<workgroup> shared_partials: array<Partial, WG>;

fn empty_partial(shift: f32) -> Partial {
  return Partial(0u, 0.0, 0.0, shift);
}

// Welford's update with x − shift.
fn push_value(p: Partial, x: f32) -> Partial {
  let y = x - p.shift;
  let n = p.n + 1u;
  let d = y - p.mean;
  let mean = p.mean + d / f32(n);
  return Partial(n, mean, p.m2 + d * (y - mean), p.shift);
}

// Chan et al.'s merge of two partials with the same shift; every term of m2 is non-negative,
// so the variance cannot go negative.
fn merge(a: Partial, b: Partial) -> Partial {
  if (b.n == 0u) {
    return a;
  }
  if (a.n == 0u) {
    return b;
  }
  let n = a.n + b.n;
  let fb = f32(b.n) / f32(n);
  let d = b.mean - a.mean;
  return Partial(n, a.mean + d * fb, a.m2 + b.m2 + d * d * f32(a.n) * fb, a.shift);
}

// Tree merge of one partial per invocation, of which only the first `used` can hold data
// (a workgroup-uniform value: short rows need fewer levels). Every invocation of the
// workgroup must call it.
fn workgroup_merge(lid: u32, p: Partial, used: u32) -> Partial {
  shared_partials[lid] = p;
  workgroupBarrier();
  var top = WG / 2u;
  while (top >= used && top > 1u) {
    top = top / 2u;
  }
  for (var stride = top; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      shared_partials[lid] = merge(shared_partials[lid], shared_partials[lid + stride]);
    }
    workgroupBarrier();
  }
  return shared_partials[0];
}

@compute @workgroup_size(WG)
fn rows_values(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let w = grid_workgroup_index(wid, nwg);
  if (w >= rows_params.rows * rows_params.chunks) {
    return;
  }
  let row = w / rows_params.chunks;
  let start = (w - row * rows_params.chunks) * rows_params.chunk_len;
  let end = min(start + rows_params.chunk_len, rows_params.len);
  let base = row * rows_params.len;
  var p = empty_partial(values[base]);
  for (var i = start + lid; i < end; i += WG) {
    p = push_value(p, values[base + i]);
  }
  let total = workgroup_merge(lid, p, end - start);
  if (lid == 0u) {
    partials_out[w] = total;
  }
}

@compute @workgroup_size(WG)
fn rows_partials(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let w = grid_workgroup_index(wid, nwg);
  if (w >= rows_params.rows * rows_params.chunks) {
    return;
  }
  let row = w / rows_params.chunks;
  let start = (w - row * rows_params.chunks) * rows_params.chunk_len;
  let end = min(start + rows_params.chunk_len, rows_params.len);
  let base = row * rows_params.len;
  var p = empty_partial(0.0);
  for (var i = start + lid; i < end; i += WG) {
    p = merge(p, partials_in[base + i]);
  }
  let total = workgroup_merge(lid, p, end - start);
  if (lid == 0u) {
    partials_out[w] = total;
  }
}

@compute @workgroup_size(WG)
fn cols_values(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = grid_workgroup_index(wid, nwg) * WG + lid;
  if (t >= cols_params.cols * cols_params.chunks) {
    return;
  }
  let chunk = t / cols_params.cols;
  let col = t - chunk * cols_params.cols;
  let first = chunk * cols_params.rows_per_thread;
  let end = min(first + cols_params.rows_per_thread, cols_params.rows);
  var p = empty_partial(values[col]);
  for (var r = first; r < end; r++) {
    p = push_value(p, values[r * cols_params.cols + col]);
  }
  partials_out[t] = p;
}

@compute @workgroup_size(WG)
fn cols_partials(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = grid_workgroup_index(wid, nwg) * WG + lid;
  if (t >= cols_params.cols * cols_params.chunks) {
    return;
  }
  let chunk = t / cols_params.cols;
  let col = t - chunk * cols_params.cols;
  let first = chunk * cols_params.rows_per_thread;
  let end = min(first + cols_params.rows_per_thread, cols_params.rows);
  var p = empty_partial(0.0);
  for (var r = first; r < end; r++) {
    p = merge(p, partials_in[r * cols_params.cols + col]);
  }
  partials_out[t] = p;
}

@compute @workgroup_size(WG)
fn finalize(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = grid_workgroup_index(wid, nwg) * WG + lid;
  if (i >= finalize_params.count) {
    return;
  }
  let p = partials_in[i];
  // NaN is written as bits: a NaN literal is a WGSL compile error, and float NaN
  // arithmetic may be optimized away.
  var variance = QUIET_NAN_BITS;
  if (p.n >= 2u) {
    variance = bitcast<u32>(p.m2 / f32(p.n - 1u));
  }
  let mean = p.shift + p.mean;
  records[i] = vec4<u32>(p.n, bitcast<u32>(mean * f32(p.n)), bitcast<u32>(mean), variance);
}
