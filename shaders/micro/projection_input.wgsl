// Steps 1–2 of docs/step-semantics.md for one projection, one invocation per (trial,
// postsynaptic neuron): take the events due now out of the delay ring (fixed-point integers,
// see src/micro/gpu/fixedPoint.ts), kick the filter, add the filter's value at t_n to the
// neuron's input sums, advance the filter exactly to t_{n+1}.
// Delta projections run before all others (their kicks move V, which an NMDA block reads).

override STAGES: u32;        // 0 delta, 1 exponential, 2 dual exponential/alpha, 3 three-state cascade,
                             // 4 kinetic receptor (the ring holds the step's conductance, kinetic.wgsl),
                             // 5, 6 per-synapse three-state y (the ring holds the filter's value at t_n,
                             // in fixed point without postsynaptic stages, as float bits with them, syn_y.wgsl)
override CONDUCTANCE: bool = false;
override MG_BLOCK: bool = false;
// Delta projections into a population that receives conductance pulses: every delta event is
// collected (acc rows 3, 5, 6, 7 + k) for apply_pulses.wgsl instead of moving V here.
override DEFERRED: bool = false;

struct InputParams {
  slotLen: u32,  // T · nPost
  slots: u32,    // delay + 1
  pulseRow: u32, // blocked delta conductance: its acc row (7 + k)
  _pad1: u32,
  invScale: f32, // 1 / fixed-point scale
  outScale: f32, // τm (integral normalisation) or 1 (peak)
  E: f32,
  mg: f32,
  rest: f32,
  _pad2: f32,
  _pad3: f32,
  _pad4: f32,
  // Rows of the lower-triangular step propagator, stage 0 kicked, stage STAGES − 1 the output.
  p0: vec4<f32>,
  p1: vec4<f32>,
  p2: vec4<f32>,
}

@group(0) @binding(0) var<uniform> P: InputParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> ring: array<atomic<i32>>;
@group(0) @binding(3) var<storage, read_write> stages: array<f32>;
@group(0) @binding(4) var<storage, read_write> state: array<f32>;  // the postsynaptic V first
@group(0) @binding(5) var<storage, read_write> refr: array<u32>;
@group(0) @binding(6) var<storage, read_write> acc: array<f32>;

fn conductance_input(k: u32, TN: u32, gk: f32) {
  if (gk == 0.0) { return; }
  var gb = gk;
  if (MG_BLOCK) {
    // NMDA block of Jahr & Stevens (1990), src/synapse/filters.ts nmdaBlock, at the absolute potential.
    gb = gk / (1.0 + exp(-0.062 * (state[k] + P.rest)) * (P.mg / 3.57));
  }
  acc[TN + k] += gb;
  acc[2u * TN + k] += gb * P.E;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = grid_workgroup_index(wid, nwg) * WG + lid;
  let TN = P.slotLen;
  if (k >= TN) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let ri = (n % P.slots) * TN + k;
  let raw = atomicLoad(&ring[ri]);
  var kick = 0.0;
  if (raw != 0) {
    atomicStore(&ring[ri], 0);
    kick = f32(raw) * P.invScale;
  }
  if (STAGES == 0u) {
    if (raw != 0) {
      if (!CONDUCTANCE) {
        acc[3u * TN + k] += kick;
        // A refractory neuron loses the event (it is still recorded as input).
        if (!DEFERRED && refr[k] == 0u) { state[k] = state[k] + kick; }
      } else if (MG_BLOCK) {
        acc[P.pulseRow * TN + k] += kick;
      } else {
        acc[5u * TN + k] += kick;
        acc[6u * TN + k] += kick * P.E;
      }
    }
    return;
  }
  if (STAGES == 4u) {
    conductance_input(k, TN, kick);
    return;
  }
  if (STAGES >= 5u) {
    var value = kick;
    if (STAGES == 6u) { value = bitcast<f32>(raw); }
    if (!CONDUCTANCE) {
      acc[k] += P.outScale * value;
    } else {
      conductance_input(k, TN, P.outScale * value);
    }
    return;
  }
  let s0 = stages[k] + kick;
  var s1 = 0.0;
  var s2 = 0.0;
  if (STAGES > 1u) { s1 = stages[TN + k]; }
  if (STAGES > 2u) { s2 = stages[2u * TN + k]; }
  var out = s0;
  if (STAGES == 2u) { out = s1; }
  if (STAGES == 3u) { out = s2; }
  let gk = P.outScale * out;
  if (!CONDUCTANCE) {
    acc[k] += gk;
  } else {
    conductance_input(k, TN, gk);
  }
  stages[k] = P.p0.x * s0;
  if (STAGES > 1u) { stages[TN + k] = P.p1.x * s0 + P.p1.y * s1; }
  if (STAGES > 2u) { stages[2u * TN + k] = P.p2.x * s0 + P.p2.y * s1 + P.p2.z * s2; }
}
