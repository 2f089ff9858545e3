// Shared by the micro-gpu kernels: float helpers. The control buffer's layout (CTL_*), the
// input sums' rows (ACC_*), WG and the model codes are composed in front of this file from
// src/micro/gpu/layout.ts and src/compile/codes.ts (library.ts).

// e^x − 1 without the cancellation of exp(x) − 1 near 0 (WGSL has no expm1): a spike
// probability of 1e-6 must keep its digits, the uniforms resolve 1.2e-7.
fn expm1_f32(x: f32) -> f32 {
  if (abs(x) < 0.03) {
    return x * (1.0 + x * (0.5 + x * (0.16666667 + x * 0.041666668)));
  }
  return exp(x) - 1.0;
}

// e^{−Δ/τ} with the conventions of src/synapse/exact.ts decayFactor: 1 for Δ ≤ 0, 0 for τ = 0.
fn decay_factor(delta: f32, tau: f32) -> f32 {
  if (!(delta > 0.0)) { return 1.0; }
  if (tau <= 0.0) { return 0.0; }
  return exp(-delta / tau);
}

// (1 − e^{−ε})/ε, 1 at ε = 0 (exact.ts oneMinusExpOverX).
fn one_minus_exp_over_x(eps: f32) -> f32 {
  if (eps == 0.0) { return 1.0; }
  return -expm1_f32(-eps) / eps;
}

// ∫₀^Δ e^{−s/τ2} e^{−(Δ−s)/τ1} ds, symmetric, exact at τ1 = τ2 (exact.ts expConvolution).
fn exp_convolution(delta: f32, tau1: f32, tau2: f32) -> f32 {
  if (!(delta > 0.0)) { return 0.0; }
  let slow = max(tau1, tau2);
  let fast = min(tau1, tau2);
  if (fast <= 0.0) { return 0.0; }
  return delta * decay_factor(delta, slow) * one_minus_exp_over_x((1.0 / fast - 1.0 / slow) * delta);
}
