// Step 4 for a projection with procedural connectivity: nothing is stored, the targets of a
// spike are regenerated from Philox each time (src/micro/gpu/procedural.ts is the host side and
// the TypeScript twin of the row generator). The candidate targets 0 … M − 1 (M = nPost, or
// nPost − 1 without autapses, candidate c ≥ j then meaning target c + 1) are cut into segments of
// SEGMENT; segment g of presynaptic neuron j draws from its own counter
// (j, g, trial or 0, purpose connectivity · 2^24 + block), so segments are independent and
// the lanes of a workgroup can walk them in parallel. all-to-all takes every candidate; fixed
// probability skips Geometric(p) gaps, ⌊ln(1 − u)/ln(1 − p)⌋, which equals one Bernoulli(p)
// per pair.

override ALL_TO_ALL: bool = false;
override STP: u32 = STP_NONE;

// ProcParams: propagateProcedural.ts.
@group(0) @binding(0) var<uniform> P: ProcParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> spikes: array<u32>;
@group(0) @binding(3) var<storage, read_write> ring: array<atomic<i32>>;
@group(0) @binding(4) var<storage, read_write> stp: array<f32>;
@group(0) @binding(5) var<storage, read_write> last: array<u32>;

var<workgroup> wgCount: u32;
var<workgroup> wgEfficacy: f32;

fn target_of(c: u32, j: u32) -> u32 {
  if (P.noSelf == 1u && c >= j) { return c + 1u; }
  return c;
}

// Adds the event to every target of segment g of presynaptic neuron j (trial b).
fn walk_segment(j: u32, g: u32, b: u32, base: u32, event: i32) {
  let first = g * P.segment;
  let end = min(first + P.segment, P.candidates);
  if (ALL_TO_ALL) {
    for (var c = first; c < end; c++) { atomicAdd(&ring[base + target_of(c, j)], event); }
    return;
  }
  let trialWord = select(0u, P.trialFrom + b, P.perTrial == 1u);
  var drawn = 0u;  // Philox blocks drawn in this segment
  var used = 4u;
  var words = vec4<u32>(0u);
  var c = i32(first) - 1;
  loop {
    if (used == 4u) {
      words = philox4x32_10(vec4<u32>(j, g, trialWord, P.purpose + drawn), vec2<u32>(P.seed, P.stream));
      drawn++;
      used = 0u;
    }
    let u = philox_uniform(words[used]);
    used++;
    let gap = floor(log(1.0 - u) / P.logQ);
    // Compare in float first: a tiny p can give gaps beyond the i32 range.
    if (!(gap < f32(i32(end) - c - 1))) { break; }
    c += i32(gap) + 1;
    atomicAdd(&ring[base + target_of(u32(c), j)], event);
  }
}

fn segments() -> u32 {
  return (P.candidates + P.segment - 1u) / P.segment;
}

// Long rows: one workgroup per spike, its lanes striding over the segments.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { wgCount = atomicLoad(&ctl[CTL_SPIKE_COUNTS + P.spikePop]); }
  let count = workgroupUniformLoad(&wgCount);
  let q = grid_workgroup_index(wid, nwg);
  if (q >= count) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let spike = spikes[q];
  let b = spike / P.nPre;
  let j = spike - b * P.nPre;
  let base = ((n + P.delay) % P.slots) * P.T * P.nPost + b * P.nPost;
  if (lid == 0u) { wgEfficacy = efficacy(b * P.nPre + j, P.stp, n); }
  let event = i32(round(P.scaledWeight * workgroupUniformLoad(&wgEfficacy)));
  for (var g = lid; g < segments(); g += WG) { walk_segment(j, g, b, base, event); }
}

// Short rows: one invocation per spike walks every segment.
@compute @workgroup_size(WG)
fn main_thread(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = grid_workgroup_index(wid, nwg) * WG + lid;
  if (q >= atomicLoad(&ctl[CTL_SPIKE_COUNTS + P.spikePop])) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let spike = spikes[q];
  let b = spike / P.nPre;
  let j = spike - b * P.nPre;
  let base = ((n + P.delay) % P.slots) * P.T * P.nPost + b * P.nPost;
  let event = i32(round(P.scaledWeight * efficacy(b * P.nPre + j, P.stp, n)));
  for (var g = 0u; g < segments(); g++) { walk_segment(j, g, b, base, event); }
}
