// Step 4 of docs/step-semantics.md for one projection: one workgroup per spike of the
// presynaptic population (indirect dispatch sized by spikeArgs.wgsl), its invocations striding
// over the spike's CSR row. The efficacy comes from the lazy exact STP update (stp.wgsl) once
// per spike (per-presynaptic state) or per synapse (per-synapse state); J·w·kickScale goes into
// the delay ring as a fixed-point integer (src/micro/gpu/ringFixedPoint.ts), so the sum of a step's
// events does not depend on the order in which invocations add them.

override STP: u32 = STP_NONE;     // STP_* (src/compile/codes.ts)
override PER_SYNAPSE: bool = false;
override HET_WEIGHT: bool = false;

// PropParams: propagate.ts.
@group(0) @binding(0) var<uniform> P: PropParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> spikes: array<u32>;
@group(0) @binding(3) var<storage, read_write> ring: array<atomic<i32>>;
// rowStart [nPre + 1], then the targets [nSyn]; one such block per trial under connectivity.perTrial.
@group(0) @binding(4) var<storage, read> csr: array<u32>;
// Per synapse: J_s (heterogeneous weight), then the STP parameters of stp_params_of.
@group(0) @binding(5) var<storage, read> syn: array<f32>;
// Rows of nState: u|x (TM), x (depression), x|y|z (three-state).
@group(0) @binding(6) var<storage, read_write> stp: array<f32>;
@group(0) @binding(7) var<storage, read_write> last: array<u32>;

var<workgroup> wgCount: u32;
var<workgroup> wgEfficacy: f32;

fn add_event(at: u32, a: f32) {
  atomicAdd(&ring[at], i32(round(a)));
}

fn event(s: u32, w: f32) -> f32 {
  if (HET_WEIGHT) { return syn[s] * P.scaledKick * w; }
  return P.scaledWeight * w;
}

// The CSR row of spike q at step n: trial b, presynaptic neuron j, the ring offset of slot
// n + delay for that trial, the row's extent and where the targets start.
struct Row {
  b: u32,
  j: u32,
  base: u32,
  start: u32,
  end: u32,
  targets: u32,
}

fn row_of(q: u32, n: u32) -> Row {
  let spike = spikes[q];
  let b = spike / P.nPre;
  let j = spike - b * P.nPre;
  let c0 = b * P.csrStride;
  return Row(b, j, ((n + P.delay) % P.slots) * P.T * P.nPost + b * P.nPost, csr[c0 + j], csr[c0 + j + 1u], c0 + P.nPre + 1u);
}

// Long rows: one workgroup per spike, its invocations striding over the row.
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { wgCount = atomicLoad(&ctl[CTL_SPIKE_COUNTS + P.spikePop]); }
  let count = workgroupUniformLoad(&wgCount);
  let q = grid_workgroup_index(wid, nwg);
  if (q >= count) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let r = row_of(q, n);
  if (!PER_SYNAPSE) {
    if (lid == 0u) { wgEfficacy = efficacy(r.b * P.nPre + r.j, P.stp, n); }
    let w = workgroupUniformLoad(&wgEfficacy);
    for (var s = r.start + lid; s < r.end; s += WG) { add_event(r.base + csr[r.targets + s], event(s, w)); }
  } else {
    for (var s = r.start + lid; s < r.end; s += WG) {
      add_event(r.base + csr[r.targets + s], event(s, efficacy(r.b * P.nSyn + s, stp_params_of(s), n)));
    }
  }
}

// Short rows: one invocation per spike walks the whole row (no idle lanes, no barrier).
@compute @workgroup_size(WG)
fn main_thread(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = grid_workgroup_index(wid, nwg) * WG + lid;
  if (q >= atomicLoad(&ctl[CTL_SPIKE_COUNTS + P.spikePop])) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let r = row_of(q, n);
  var w = 1.0;
  if (!PER_SYNAPSE) { w = efficacy(r.b * P.nPre + r.j, P.stp, n); }
  for (var s = r.start; s < r.end; s++) {
    if (PER_SYNAPSE) { w = efficacy(r.b * P.nSyn + s, stp_params_of(s), n); }
    add_event(r.base + csr[r.targets + s], event(s, w));
  }
}
