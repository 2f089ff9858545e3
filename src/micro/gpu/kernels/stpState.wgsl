// The lazy STP state of a projection at a spike, shared by the propagation kernels. The kernel
// that includes it declares the bindings `stp` and `last`, a parameter struct P with the fields
// nState and dt, and the override STP.

fn efficacy(e: u32, p: StpParams, n: u32) -> f32 {
  if (STP == STP_NONE) { return 1.0; }
  let m = P.nState;
  let vars = stp_var_count(STP);
  let s = StpVars(stp[e], select(0.0, stp[m + e], vars >= 2u), select(0.0, stp[2u * m + e], vars >= 3u));
  let r = stp_on_spike(STP, p, s, f32(n - last[e]) * P.dt);
  stp[e] = r.vars.a;
  if (vars >= 2u) { stp[m + e] = r.vars.b; }
  if (vars >= 3u) { stp[2u * m + e] = r.vars.c; }
  last[e] = n;
  return r.w;
}
