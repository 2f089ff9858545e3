// Per-synapse STP parameters (heterogeneous projections), shared by the kernels that keep STP
// state per synapse. The kernel declares the binding `syn`, P.nSyn and P.stp, and the overrides
// STP, PER_SYNAPSE and HET_WEIGHT.

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

