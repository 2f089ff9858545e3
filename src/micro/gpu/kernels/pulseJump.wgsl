// The delta input of a step to a neuron that receives instantaneous conductance pulses
// (docs/step-semantics.md, step 1), as the WGSL twin of src/synapse/conductancePulse.ts: the
// current kicks c, unblocked pulses W = Σ J·w, WE = Σ J·w·E and the blocked (NMDA) pulses w_k act
// together, V⁺ = V⁻e^{−W} + (c + WE)(1 − e^{−W})/W, or with blocked pulses the jump ODE
// dV/dσ = c + WE − W V − Σ_k w_k B_k(V)(V − E_k), σ ∈ [0, 1], by RK4 with substep doubling until
// two results agree within 1e-5 mV (float32). Shared by applyPulses.wgsl (the general schedule)
// and the population phases of networkPhases.ts (fused and resident), so every schedule jumps
// with the same float32 operations. The blocked pulses are the first `blocked` (≤ 4) components,
// with reversal potentials E and [Mg²⁺] mg; the block reads the absolute potential V + rest.

fn pulse_rhs(v: f32, a: f32, W: f32, w: vec4<f32>, blocked: u32, rest: f32, E: vec4<f32>, mg: vec4<f32>) -> f32 {
  var f = a - W * v;
  for (var k = 0u; k < blocked; k++) {
    let unblocked = 1.0 / (1.0 + exp(-0.062 * (v + rest)) * (mg[k] / 3.57));
    f -= w[k] * unblocked * (v - E[k]);
  }
  return f;
}

fn pulse_rk4(v0: f32, steps: u32, a: f32, W: f32, w: vec4<f32>, blocked: u32, rest: f32, E: vec4<f32>, mg: vec4<f32>) -> f32 {
  let h = 1.0 / f32(steps);
  var v = v0;
  for (var s = 0u; s < steps; s++) {
    let k1 = pulse_rhs(v, a, W, w, blocked, rest, E, mg);
    let k2 = pulse_rhs(v + 0.5 * h * k1, a, W, w, blocked, rest, E, mg);
    let k3 = pulse_rhs(v + 0.5 * h * k2, a, W, w, blocked, rest, E, mg);
    let k4 = pulse_rhs(v + h * k3, a, W, w, blocked, rest, E, mg);
    v += (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
  }
  return v;
}

// (V after the step's delta input, the delta input recorded): without pulses the kicks c move V
// as one sum; with them V jumps, and the jump is what is recorded. A refractory neuron (`free`
// false) records the jump it would have made but keeps V.
fn pulse_step(v0: f32, free: bool, c: f32, W: f32, WE: f32, w: vec4<f32>, blocked: u32, rest: f32, E: vec4<f32>, mg: vec4<f32>) -> vec2<f32> {
  var anyBlocked = false;
  for (var q = 0u; q < blocked; q++) {
    if (w[q] != 0.0) { anyBlocked = true; }
  }
  if (W == 0.0 && !anyBlocked) {
    if (c != 0.0 && free) { return vec2<f32>(v0 + c, c); }
    return vec2<f32>(v0, c);
  }
  var v1: f32;
  if (!anyBlocked) {
    var phi = 1.0;
    if (W > 0.0) { phi = -expm1_f32(-W) / W; }
    v1 = v0 * exp(-W) + (c + WE) * phi;
  } else {
    var stiff = W;
    for (var q = 0u; q < blocked; q++) { stiff += w[q] * (1.0 + 0.0155 * abs(v0 - E[q])); }
    var steps = max(2u, u32(ceil(2.0 * stiff)));
    var coarse = pulse_rk4(v0, steps, c + WE, W, w, blocked, rest, E, mg);
    loop {
      steps *= 2u;
      let fine = pulse_rk4(v0, steps, c + WE, W, w, blocked, rest, E, mg);
      if (abs(fine - coarse) <= 1e-5 || steps >= 4096u) {
        v1 = fine;
        break;
      }
      coarse = fine;
    }
  }
  return vec2<f32>(select(v0, v1, free), v1 - v0);
}
