// Exact lazy STP updates at a spike: the WGSL twins of src/synapse/stpTsodyksMarkram.ts,
// stpDepression.ts and stpThreeState.ts (tested against them in test/gpu/microGpu*.gpu.test.ts).
// The state relaxes from its last update over Δ = (n − last)·dt: the step difference is an exact
// integer, so long runs lose no precision to a float32 clock.
// StpParams (U, U0, tauD, tauF, tauIn, tauRec) is declared in library.ts from src/compile/stpModels.ts.

struct StpVars {
  a: f32,  // u (TM) or x (depression, three-state)
  b: f32,  // x (TM) or y (three-state)
  c: f32,  // z (three-state)
}

// Relaxed to Δ after the last update, without a spike.
fn stp_relax(model: u32, p: StpParams, s: StpVars, delta: f32) -> StpVars {
  var r = s;
  if (model == STP_TM) {
    r.a = p.U0 + (s.a - p.U0) * decay_factor(delta, p.tauF);
    r.b = 1.0 + (s.b - 1.0) * decay_factor(delta, p.tauD);
  } else if (model == STP_DEPRESSION) {
    r.a = 1.0 + (s.a - 1.0) * decay_factor(delta, p.tauD);
  } else if (model == STP_THREE_STATE && delta > 0.0) {
    let y1 = s.b * decay_factor(delta, p.tauIn);
    let z1 = s.c * decay_factor(delta, p.tauRec) + (s.b / p.tauIn) * exp_convolution(delta, p.tauRec, p.tauIn);
    r.a = s.a + (s.b - y1) + (s.c - z1);
    r.b = y1;
    r.c = z1;
  }
  return r;
}

struct StpSpike {
  vars: StpVars,
  // Efficacy of the spike: u⁺x⁻ (TM), U x⁻ (depression, three-state: the released amount).
  w: f32,
}

fn stp_on_spike(model: u32, p: StpParams, s: StpVars, delta: f32) -> StpSpike {
  var r = stp_relax(model, p, s, delta);
  var w = 1.0;
  if (model == STP_TM) {
    let uPlus = r.a + p.U * (1.0 - r.a);
    w = uPlus * r.b;
    r.a = uPlus;
    r.b = r.b - w;
  } else if (model == STP_DEPRESSION) {
    w = p.U * r.a;
    r.a = r.a - w;
  } else if (model == STP_THREE_STATE) {
    w = p.U * r.a;
    r.a = r.a - w;
    r.b = r.b + w;
  }
  return StpSpike(r, w);
}
