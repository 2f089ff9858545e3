// After every delta delivery of a step, in a population that receives instantaneous conductance
// pulses (docs/step-semantics.md, step 1): each neuron's current kicks c, unblocked pulses
// W = Σ J·w, WE = Σ J·w·E and blocked (NMDA) pulses act together, as the WGSL twin of
// src/synapse/conductancePulse.ts: V⁺ = V⁻e^{−W} + (c + WE)(1 − e^{−W})/W, or with blocked
// pulses the jump ODE dV/dσ = c + WE − W V − Σ_k w_k B_k(V)(V − E_k), σ ∈ [0, 1], by RK4 with
// substep doubling until two results agree within 1e-5 mV (float32). The recorded delta input
// becomes the jump; a refractory neuron records the jump it would have made but keeps V.
// acc rows (of T·N, src/micro/gpu/layout.ts): ACC_KICKS current kicks (then the jump), ACC_W, ACC_WE,
// ACC_BLOCKED + k the blocked pulses k.

override BLOCKED: u32 = 0u;  // blocked pulse projections, ≤ 4

// PulseParams: applyPulses.ts.
@group(0) @binding(0) var<uniform> P: PulseParams;
@group(0) @binding(1) var<storage, read_write> state: array<f32>;
@group(0) @binding(2) var<storage, read_write> refr: array<u32>;
@group(0) @binding(3) var<storage, read_write> acc: array<f32>;

fn jump_rhs(v: f32, a: f32, W: f32, w: vec4<f32>) -> f32 {
  var f = a - W * v;
  for (var k = 0u; k < BLOCKED; k++) {
    let unblocked = 1.0 / (1.0 + exp(-0.062 * (v + P.rest)) * (P.mg[k] / 3.57));
    f -= w[k] * unblocked * (v - P.E[k]);
  }
  return f;
}

fn rk4(v0: f32, steps: u32, a: f32, W: f32, w: vec4<f32>) -> f32 {
  let h = 1.0 / f32(steps);
  var v = v0;
  for (var s = 0u; s < steps; s++) {
    let k1 = jump_rhs(v, a, W, w);
    let k2 = jump_rhs(v + 0.5 * h * k1, a, W, w);
    let k3 = jump_rhs(v + 0.5 * h * k2, a, W, w);
    let k4 = jump_rhs(v + h * k3, a, W, w);
    v += (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
  }
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = grid_workgroup_index(wid, nwg) * WG + lid;
  let TN = P.TN;
  if (k >= TN) { return; }
  let c = acc[ACC_KICKS * TN + k];
  let W = acc[ACC_W * TN + k];
  let WE = acc[ACC_WE * TN + k];
  var w = vec4<f32>(0.0);
  var anyBlocked = false;
  for (var q = 0u; q < BLOCKED; q++) {
    w[q] = acc[(ACC_BLOCKED + q) * TN + k];
    if (w[q] != 0.0) { anyBlocked = true; }
  }
  let free = refr[k] == 0u;
  if (W == 0.0 && !anyBlocked) {
    if (c != 0.0 && free) { state[k] = state[k] + c; }
    return;
  }
  let v0 = state[k];
  var v1: f32;
  if (!anyBlocked) {
    var phi = 1.0;
    if (W > 0.0) { phi = -expm1_f32(-W) / W; }
    v1 = v0 * exp(-W) + (c + WE) * phi;
  } else {
    var stiff = W;
    for (var q = 0u; q < BLOCKED; q++) { stiff += w[q] * (1.0 + 0.0155 * abs(v0 - P.E[q])); }
    var steps = max(2u, u32(ceil(2.0 * stiff)));
    var coarse = rk4(v0, steps, c + WE, W, w);
    loop {
      steps *= 2u;
      let fine = rk4(v0, steps, c + WE, W, w);
      if (abs(fine - coarse) <= 1e-5 || steps >= 4096u) {
        v1 = fine;
        break;
      }
      coarse = fine;
    }
  }
  acc[ACC_KICKS * TN + k] = v1 - v0;
  if (free) { state[k] = v1; }
  acc[ACC_W * TN + k] = 0.0;
  acc[ACC_WE * TN + k] = 0.0;
  for (var q = 0u; q < BLOCKED; q++) { acc[(ACC_BLOCKED + q) * TN + k] = 0.0; }
}
