// Recording at the end of a bin: the mean of the STP variables over a projection's state entries,
// each relaxed to t_{n+1} on a copy (the live lazy state is not touched). `main`: one workgroup
// per trial (many entries); `main_thread`: one invocation per trial (few entries).

override STP: u32;  // STP_* (src/compile/codes.ts), not STP_NONE
override PER_SYNAPSE: bool = false;
override HET_WEIGHT: bool = false;

// RecStpParams: recordStp.ts.
@group(0) @binding(0) var<uniform> P: RecStpParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> stp: array<f32>;
@group(0) @binding(3) var<storage, read_write> last: array<u32>;
@group(0) @binding(4) var<storage, read> syn: array<f32>;
// [variables × T × bins]
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<vec3<f32>, WG>;

// Σ over entries e = first, first + stride, … of trial b of the relaxed variables, as deviations
// from the resting state of the nominal parameters (P.rest, from the model table) summed in blocks of 64: a mean over millions
// of entries keeps ~1e-7 relative accuracy instead of losing it in one long float32 sum.
fn sum_entries(b: u32, first: u32, stride: u32, tEnd: u32) -> vec3<f32> {
  let m = P.T * P.entries;
  let rest = P.rest;
  var s = vec3<f32>(0.0);
  var partialSum = vec3<f32>(0.0);
  var inBlock = 0u;
  for (var e = first; e < P.entries; e += stride) {
    let k = b * P.entries + e;
    let v = StpVars(stp[k], select(0.0, stp[m + k], stp_var_count(STP) >= 2u), select(0.0, stp[2u * m + k], stp_var_count(STP) >= 3u));
    let r = stp_relax(STP, stp_params_of(e), v, f32(tEnd - last[k]) * P.dt);
    partialSum += vec3<f32>(r.a, r.b, r.c) - rest;
    inBlock++;
    if (inBlock == 64u) {
      s += partialSum;
      partialSum = vec3<f32>(0.0);
      inBlock = 0u;
    }
  }
  return s + partialSum;
}

fn write_means(b: u32, tEnd: u32, sum: vec3<f32>) {
  let bin = tEnd / P.binSteps - 1u;
  let tb = P.T * P.totalBins;
  let mean = P.rest + sum / f32(P.entries);
  let r = b * P.totalBins + bin;
  out[r] = mean.x;
  if (stp_var_count(STP) >= 2u) { out[tb + r] = mean.y; }
  if (stp_var_count(STP) >= 3u) { out[2u * tb + r] = mean.z; }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = grid_workgroup_index(wid, nwg);
  let inRange = b < P.T;
  let tEnd = atomicLoad(&ctl[CTL_STEP]) + 1u;
  var s = vec3<f32>(0.0);
  if (inRange) { s = sum_entries(b, lid, WG, tEnd); }
  partial[lid] = s;
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    workgroupBarrier();
    if (lid < half) { partial[lid] += partial[lid + half]; }
  }
  if (lid == 0u && inRange) { write_means(b, tEnd, partial[0]); }
}

@compute @workgroup_size(WG)
fn main_thread(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = grid_workgroup_index(wid, nwg) * WG + lid;
  if (b >= P.T) { return; }
  let tEnd = atomicLoad(&ctl[CTL_STEP]) + 1u;
  write_means(b, tEnd, sum_entries(b, 0u, 1u, tEnd));
}
