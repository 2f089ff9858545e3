// Lazy STP state of a projection, shared by propagate.wgsl and kinetic.wgsl. The kernel that
// includes it declares the bindings `syn`, `stp`, `last` and a parameter struct P with the fields
// nSyn, nState, dt and stp (and the overrides STP, PER_SYNAPSE, HET_WEIGHT).

// The STP parameters of synapse s: its own where they are heterogeneous, stored after J_s.
fn stp_params_of(s: u32) -> StpParams {
  if (!PER_SYNAPSE) { return P.stp; }
  let o = select(0u, P.nSyn, HET_WEIGHT);
  var p = P.stp;
  if (STP == 1u) {
    p.U = syn[o + s];
    p.U0 = syn[o + P.nSyn + s];
    p.tauD = syn[o + 2u * P.nSyn + s];
    p.tauF = syn[o + 3u * P.nSyn + s];
  } else if (STP == 2u) {
    p.U = syn[o + s];
    p.tauD = syn[o + P.nSyn + s];
  } else if (STP == 3u) {
    p.U = syn[o + s];
    p.tauIn = syn[o + P.nSyn + s];
    p.tauRec = syn[o + 2u * P.nSyn + s];
  }
  return p;
}

fn efficacy(e: u32, p: StpParams, n: u32) -> f32 {
  if (STP == 0u) { return 1.0; }
  let m = P.nState;
  let s = StpVars(stp[e], stp[m + e], select(0.0, stp[2u * m + e], STP == 3u));
  let r = stp_on_spike(STP, p, s, f32(n - last[e]) * P.dt);
  stp[e] = r.vars.a;
  if (STP != 2u) { stp[m + e] = r.vars.b; }
  if (STP == 3u) { stp[2u * m + e] = r.vars.c; }
  last[e] = n;
  return r.w;
}

