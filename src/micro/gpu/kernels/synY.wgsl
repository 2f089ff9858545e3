// Three-state STP with a heterogeneous tauIn: the active state y of each synapse decays with its
// own τin, so it cannot be merged into one postsynaptic stage (docs/step-semantics.md §4b). As in
// the CPU engine the y stages run in presynaptic time and their output is delayed by the ring:
//   on_spike  (per spike):   y_s += J_s·(U_s x_s⁻)·kick_s for each synapse of the row;
//   synapses  (per synapse): without postsynaptic stages, y_s goes into ring slot n + d of its
//                            target; with stages, its exact step coupling y_s·P_k0(dt) into
//                            stage k goes into an accumulator; then y_s ← y_s e^{−dt/τin_s};
//   post      (per target):  ring slot n + d ← the output stage g (float bits), the stages
//                            advance with their propagator, then take the accumulated couplings.
// projectionInput.wgsl reads slot n as the filter's value at t_n.
// syn rows (nSyn each): [J_s], U, tauIn, tauRec, then kick_s, e^{−dt/τin_s}, P_10 … P_S0.
// ring: (delay + 1) slots of T·nPost, then S accumulators of T·nPost (fixed point).

override STP: u32 = STP_THREE_STATE;
override PER_SYNAPSE: bool = true;
override HET_WEIGHT: bool = false;
override POST_STAGES: u32 = 0u;

// SynYParams: synY.ts.
@group(0) @binding(0) var<uniform> P: SynYParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> spikes: array<u32>;
@group(0) @binding(3) var<storage, read_write> ring: array<atomic<i32>>;
@group(0) @binding(4) var<storage, read> csr: array<u32>;
@group(0) @binding(5) var<storage, read> syn: array<f32>;
@group(0) @binding(6) var<storage, read_write> stp: array<f32>;
@group(0) @binding(7) var<storage, read_write> last: array<u32>;
@group(0) @binding(8) var<storage, read_write> y: array<f32>;
@group(0) @binding(9) var<storage, read_write> stages: array<f32>;

// Where kick_s starts in syn: after J_s and the three-state parameters (SYN_Y_STP_ROWS, synY.ts).
fn row_offset() -> u32 {
  return select(0u, P.nSyn, HET_WEIGHT) + SYN_Y_STP_ROWS * P.nSyn;
}

@compute @workgroup_size(WG)
fn on_spike(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = grid_workgroup_index(wid, nwg) * WG + lid;
  if (q >= atomicLoad(&ctl[CTL_SPIKE_COUNTS + P.spikePop])) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let spike = spikes[q];
  let b = spike / P.nPre;
  let j = spike - b * P.nPre;
  let o = row_offset();
  for (var s = csr[j]; s < csr[j + 1u]; s++) {
    let k = b * P.nSyn + s;
    let w = efficacy(k, stp_params_of(s), n);
    var J = P.weight;
    if (HET_WEIGHT) { J = syn[s]; }
    y[k] += J * w * syn[o + s];
  }
}

@compute @workgroup_size(WG)
fn synapses(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = grid_workgroup_index(wid, nwg) * WG + lid;
  if (k >= P.T * P.nSyn) { return; }
  let v = y[k];
  if (v == 0.0) { return; }
  let b = k / P.nSyn;
  let s = k - b * P.nSyn;
  let TN = P.T * P.nPost;
  let i = b * P.nPost + csr[P.nPre + 1u + s];
  let o = row_offset();
  if (POST_STAGES == 0u) {
    let n = atomicLoad(&ctl[CTL_STEP]);
    atomicAdd(&ring[((n + P.delay) % P.slots) * TN + i], i32(round(v * P.scale)));
  } else {
    for (var q = 1u; q <= POST_STAGES; q++) {
      atomicAdd(&ring[(P.slots + q - 1u) * TN + i], i32(round(v * syn[o + (1u + q) * P.nSyn + s] * P.scale)));
    }
  }
  y[k] = v * syn[o + P.nSyn + s];
}

@compute @workgroup_size(WG)
fn post(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let TN = P.T * P.nPost;
  let k = grid_workgroup_index(wid, nwg) * WG + lid;
  if (k >= TN) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let s0 = stages[k];
  var s1 = 0.0;
  if (POST_STAGES > 1u) { s1 = stages[TN + k]; }
  let out = select(s0, s1, POST_STAGES > 1u);
  atomicStore(&ring[((n + P.delay) % P.slots) * TN + k], bitcast<i32>(out));
  let c0 = f32(atomicExchange(&ring[P.slots * TN + k], 0)) * P.invScale;
  stages[k] = P.p0.x * s0 + c0;
  if (POST_STAGES > 1u) {
    let c1 = f32(atomicExchange(&ring[(P.slots + 1u) * TN + k], 0)) * P.invScale;
    stages[TN + k] = P.p1.x * s0 + P.p1.y * s1 + c1;
  }
}
