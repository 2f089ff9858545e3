// The STP mean-field of one channel on the GPU: the twin of src/meso/stpMeanField.ts for
// static synapses, depression (exact moments) and Tsodyks–Markram with facilitation (MF2's
// Gaussian-closed moments, one RK4 step of dt), in float32. Moments use the MF2 layout of
// src/synapse/stpMoments.ts: depression [E[x], E[x²]], Tsodyks–Markram [E[u], E[x], E[u²], E[x²], E[ux]].

struct Moments {
  u: f32,
  x: f32,
  uu: f32,
  xx: f32,
  ux: f32,
}

// (1 − e^{−z})/z, with its series where the quotient would cancel.
fn one_minus_exp_over_x(z: f32) -> f32 {
  if (abs(z) < 1e-3) {
    return 1.0 - z * (0.5 - z / 6.0);
  }
  return (1.0 - exp(-z)) / z;
}

// Exact moments of a depressing synapse over h at Poisson rate r (depressionMomentsStep):
// E[x] relaxes at k1 = 1/τD + U r, E[x²] at k2 = 2/τD + U(2 − U) r, driven by E[x].
fn depression_moments_step(U: f32, tau_d: f32, r: f32, h: f32, m: vec2<f32>) -> vec2<f32> {
  let k1 = 1.0 / tau_d + U * r;
  let k2 = 2.0 / tau_d + U * (2.0 - U) * r;
  let m1s = 1.0 / (tau_d * k1);
  let m2s = 2.0 * m1s / (tau_d * k2);
  let d1 = m.x - m1s;
  // expConvolution(h, 1/k2, 1/k1): k2 > k1 always, so 1/k1 is the slow time constant.
  let conv = h * exp(-k1 * h) * one_minus_exp_over_x((k2 - k1) * h);
  return vec2<f32>(m1s + d1 * exp(-k1 * h), m2s + (m.y - m2s) * exp(-k2 * h) + (2.0 / tau_d) * d1 * conv);
}

// Gaussian closures (stpMoments.ts closureEu2x, closureEux2, closureEu2x2).
fn closure_eu2x(m: Moments) -> f32 {
  let suu = m.uu - m.u * m.u;
  let sux = m.ux - m.u * m.x;
  return m.u * m.u * m.x + suu * m.x + 2.0 * m.u * sux;
}

fn closure_eux2(m: Moments) -> f32 {
  let sxx = m.xx - m.x * m.x;
  let sux = m.ux - m.u * m.x;
  return m.u * m.x * m.x + sxx * m.u + 2.0 * m.x * sux;
}

fn closure_eu2x2(m: Moments) -> f32 {
  let suu = m.uu - m.u * m.u;
  let sxx = m.xx - m.x * m.x;
  let sux = m.ux - m.u * m.x;
  return m.u * m.u * m.x * m.x + m.u * m.u * sxx + m.x * m.x * suu + 4.0 * m.u * m.x * sux + suu * sxx + 2.0 * sux * sux;
}

// tmMf2Rhs: the MF2 moment equations of the u–x model at rate r.
fn tm_mf2_rhs(U: f32, U0: f32, tau_d: f32, tau_f: f32, r: f32, m: Moments) -> Moments {
  let a = 1.0 - U;
  var d: Moments;
  d.u = (U0 - m.u) / tau_f + r * U * (1.0 - m.u);
  d.uu = 2.0 * (U0 * m.u - m.uu) / tau_f + r * (U * U + 2.0 * U * a * m.u - U * (2.0 - U) * m.uu);
  d.x = (1.0 - m.x) / tau_d - r * (U * m.x + a * m.ux);
  d.xx = 2.0 * (m.x - m.xx) / tau_d - r * (U * (2.0 - U) * m.xx + 2.0 * a * a * closure_eux2(m) - a * a * closure_eu2x2(m));
  d.ux = (U0 * m.x - m.ux) / tau_f + (m.u - m.ux) / tau_d + r * (U * a * m.x + a * (1.0 - 2.0 * U) * m.ux - a * a * closure_eu2x(m) - m.ux);
  return d;
}

fn moments_axpy(m: Moments, h: f32, d: Moments) -> Moments {
  return Moments(m.u + h * d.u, m.x + h * d.x, m.uu + h * d.uu, m.xx + h * d.xx, m.ux + h * d.ux);
}

// One RK4 step of dt, as StpMeanField.advanceMoments.
fn tm_mf2_step(U: f32, U0: f32, tau_d: f32, tau_f: f32, r: f32, dt: f32, m: Moments) -> Moments {
  let k1 = tm_mf2_rhs(U, U0, tau_d, tau_f, r, m);
  let k2 = tm_mf2_rhs(U, U0, tau_d, tau_f, r, moments_axpy(m, 0.5 * dt, k1));
  let k3 = tm_mf2_rhs(U, U0, tau_d, tau_f, r, moments_axpy(m, 0.5 * dt, k2));
  let k4 = tm_mf2_rhs(U, U0, tau_d, tau_f, r, moments_axpy(m, dt, k3));
  let h = dt / 6.0;
  return Moments(
    m.u + h * (k1.u + 2.0 * k2.u + 2.0 * k3.u + k4.u),
    m.x + h * (k1.x + 2.0 * k2.x + 2.0 * k3.x + k4.x),
    m.uu + h * (k1.uu + 2.0 * k2.uu + 2.0 * k3.uu + k4.uu),
    m.xx + h * (k1.xx + 2.0 * k2.xx + 2.0 * k3.xx + k4.xx),
    m.ux + h * (k1.ux + 2.0 * k2.ux + 2.0 * k3.ux + k4.ux),
  );
}
