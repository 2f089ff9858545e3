// Recording: the mean of I_n over a population's N neurons, per trial, added into the bin.
// `main`: one workgroup per trial (large N), each invocation sums a strided share, then a tree in
// workgroup memory. `main_thread`: one invocation per trial (small N: no idle lanes, no barriers).

// MeanParams: recordInputMean.ts.
@group(0) @binding(0) var<uniform> P: MeanParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> acc: array<f32>;
@group(0) @binding(3) var<storage, read_write> mean: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = grid_workgroup_index(wid, nwg);
  let inRange = b < P.T;
  var s = 0.0;
  if (inRange) {
    let row = ACC_INPUT * P.T * P.N + b * P.N;
    for (var i = lid; i < P.N; i += WG) { s += acc[row + i]; }
  }
  partial[lid] = s;
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) { partial[lid] += partial[lid + half]; }
  }
  if (lid == 0u && inRange) {
    let n = atomicLoad(&ctl[CTL_STEP]);
    let r = b * P.totalBins + n / P.binSteps;
    mean[r] = mean[r] + partial[0] / (f32(P.N) * f32(P.binSteps));
  }
}

@compute @workgroup_size(WG)
fn main_thread(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = grid_workgroup_index(wid, nwg) * WG + lid;
  if (b >= P.T) { return; }
  let row = ACC_INPUT * P.T * P.N + b * P.N;
  var s = 0.0;
  for (var i = 0u; i < P.N; i++) { s += acc[row + i]; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let r = b * P.totalBins + n / P.binSteps;
  mean[r] = mean[r] + s / (f32(P.N) * f32(P.binSteps));
}
