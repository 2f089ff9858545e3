// record.trials 'stats', at a batch's end: the statistics over the batch's trials of one recorded
// [T × rows × totalBins] array, so that only they (not the array) are read back. For each row and
// bin i = row·bins + k: the trial mean and M2 = Σ (x − mean)², by two passes with the correction
// term (mean += Σd/T, M2 = Σd² − (Σd)²/T), in float32 sums taken in blocks; the host merges the
// batches in float64. `main`: a workgroup per (row, bin), lanes striding over the trials, then a
// tree in workgroup memory (many trials); `main_thread`: an invocation per (row, bin) (few
// trials). `trial_averages`: each trial's average over all rows and bins, one invocation per trial.

override COUNTS: bool = false;  // the array holds u32 spike counts, not f32 bits

// ReduceParams: reduceTrials.ts.
@group(0) @binding(0) var<uniform> P: ReduceParams;
@group(0) @binding(1) var<storage, read> src: array<u32>;
// [mean: rows × bins][M2: rows × bins] from P.out
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
// [T] from P.averagesOut
@group(0) @binding(3) var<storage, read_write> averages: array<f32>;

var<workgroup> partial: array<vec2<f32>, WG>;

// Element (trial t, entry i) of the array.
fn at(t: u32, i: u32) -> f32 {
  let x = src[P.base + t * P.trialStride + (i / P.bins) * P.totalBins + i % P.bins];
  if (COUNTS) { return f32(x); }
  return bitcast<f32>(x);
}

// A float32 sum taken in blocks of 64 terms, each block added to the total once complete: the
// rounding error grows with the number of blocks rather than of terms (as in recordStp.wgsl), so
// 10⁵ trials keep ~1e-6 relative accuracy.
struct BlockSum {
  total: vec2<f32>,
  block: vec2<f32>,
  n: u32,
}

fn block_add(s: ptr<function, BlockSum>, v: vec2<f32>) {
  (*s).block += v;
  (*s).n++;
  if ((*s).n == 64u) {
    (*s).total += (*s).block;
    (*s).block = vec2<f32>(0.0);
    (*s).n = 0u;
  }
}

fn block_value(s: BlockSum) -> vec2<f32> {
  return s.total + s.block;
}

fn write_stats(i: u32, mean: f32, d: vec2<f32>) {
  let T = f32(P.T);
  stats[P.out + i] = mean + d.x / T;
  stats[P.out + P.rows * P.bins + i] = max(0.0, d.y - d.x * d.x / T);
}

// Σ of partial over the workgroup, into partial[0]; every lane sees it after the last barrier.
fn tree(lid: u32) {
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) { partial[lid] += partial[lid + half]; }
  }
  workgroupBarrier();
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = grid_workgroup_index(wid, nwg);
  let inRange = i < P.rows * P.bins;
  var s: BlockSum;
  if (inRange) {
    for (var t = lid; t < P.T; t += WG) { block_add(&s, vec2<f32>(at(t, i), 0.0)); }
  }
  partial[lid] = block_value(s);
  tree(lid);
  let mean = partial[0].x / f32(P.T);
  // Every lane has read the sum before lane 0 overwrites it.
  workgroupBarrier();
  var d: BlockSum;
  if (inRange) {
    for (var t = lid; t < P.T; t += WG) {
      let e = at(t, i) - mean;
      block_add(&d, vec2<f32>(e, e * e));
    }
  }
  partial[lid] = block_value(d);
  tree(lid);
  if (lid == 0u && inRange) { write_stats(i, mean, partial[0]); }
}

@compute @workgroup_size(WG)
fn main_thread(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = grid_workgroup_index(wid, nwg) * WG + lid;
  if (i >= P.rows * P.bins) { return; }
  var s: BlockSum;
  for (var t = 0u; t < P.T; t++) { block_add(&s, vec2<f32>(at(t, i), 0.0)); }
  let mean = block_value(s).x / f32(P.T);
  var d: BlockSum;
  for (var t = 0u; t < P.T; t++) {
    let e = at(t, i) - mean;
    block_add(&d, vec2<f32>(e, e * e));
  }
  write_stats(i, mean, block_value(d));
}

@compute @workgroup_size(WG)
fn trial_averages(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = grid_workgroup_index(wid, nwg) * WG + lid;
  if (t >= P.T) { return; }
  let n = P.rows * P.bins;
  var s: BlockSum;
  for (var i = 0u; i < n; i++) { block_add(&s, vec2<f32>(at(t, i), 0.0)); }
  averages[P.averagesOut + t] = block_value(s).x / f32(n);
}
