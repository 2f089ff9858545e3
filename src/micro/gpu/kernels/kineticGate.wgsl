// One kinetic receptor gate over a step [t_n, t_n + dt] (the model: kinetic.wgsl's header): while
// the transmitter pulse of concentration Tw lasts (`left` more seconds) s relaxes towards
// α·Tw/(α·Tw + β) at rate α·Tw + β, after it decays at β; the step is split at the pulse's end
// and integrated exactly. Returns (s at t_n + dt, pulse time left, the step mean of s). Shared by
// kinetic.wgsl (the general schedule) and the arena kernels' kinetic items (networkPhases.ts).
fn gate_step(s0: f32, Tw: f32, left0: f32, dt: f32, alpha: f32, beta: f32) -> vec3<f32> {
  var s = s0;
  var left = left0;
  var integral = 0.0;
  var off = dt;
  if (left > 0.0) {
    let on = min(left, dt);
    let k = alpha * Tw + beta;
    let sInf = alpha * Tw / k;
    integral += sInf * on + (s - sInf) * on * one_minus_exp_over_x(k * on);
    s = sInf + (s - sInf) * exp(-k * on);
    left -= on;
    off = dt - on;
  }
  if (off > 0.0) {
    integral += s * off * one_minus_exp_over_x(beta * off);
    s *= exp(-beta * off);
  }
  return vec3<f32>(s, left, integral / dt);
}
