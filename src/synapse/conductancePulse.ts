/**
 * Instantaneous synaptic pulses: the delta filter, for current and for conductance output
 * (docs/models.md §6, docs/step-semantics.md step 1).
 *
 * A delta conductance is the τ → 0 limit of the exponential conductance filter under the
 * 'integral' normalisation: g(t) = τm·J·w·e^{−t/τ}/τ, whose area τm·J·w stays fixed while the
 * pulse shrinks. On the fast time σ(t) = ∫₀^t g ds/(τm J w) ∈ [0, 1] the membrane equation
 * τm dV/dt = −V + μ − g(V − E) becomes dV/dσ = −J·w (V − E) + O(τ/τm): leak and drive act for a
 * vanishing time. So the pulse of weight W = J·w moves V exactly to
 *
 *   V⁺ = E + (V⁻ − E) e^{−W}.
 *
 * (The 'peak' normalisation has no such limit: a pulse of height J·w and width τ → 0 has a
 * vanishing effect, so a delta synapse is always integral-normalised; a delta current synapse
 * likewise moves V by J·w.)
 *
 * Pulses arriving at the same instant act together, as the limit of pulses of one common shape:
 * with c the summed current kicks (mV), W = Σ_k W_k and WE = Σ_k W_k E_k over the conductance
 * pulses, dV/dσ = c + WE − W·V, so
 *
 *   V⁺ = V⁻ e^{−W} + (c + WE)·(1 − e^{−W})/W,
 *
 * which does not depend on the order of the synapses (applying them one after another would) and
 * is V⁻ + c without conductance pulses. With an NMDA Mg²⁺ block B_k(V) on some pulses the jump
 * ODE dV/dσ = c + WE − W·V − Σ_k W_k B_k(V)(V − E_k) is nonlinear; `blockedPulseJump` integrates
 * it with RK4, doubling the number of substeps until two successive results agree to
 * PULSE_TOLERANCE_MV, so the returned value is within about PULSE_TOLERANCE_MV/15 of the exact
 * jump (RK4's error falls 16-fold per doubling).
 */
import { oneMinusExpOverX } from './exact';
import { nmdaBlock } from './filters';

/** Agreement (mV) of two successive RK4 results that ends the substep doubling of blockedPulseJump. */
export const PULSE_TOLERANCE_MV = 1e-10;

/**
 * V right after simultaneous instantaneous pulses: current kicks summing to c (mV) and
 * conductance pulses of total weight W = Σ J·w (dimensionless, ≥ 0) with WE = Σ J·w·E (mV).
 */
export function pulseJump(V: number, c: number, W: number, WE: number): number {
  return V * Math.exp(-W) + (c + WE) * oneMinusExpOverX(W);
}

/** dV/dσ of the jump ODE with blocked pulses (weights w, reversal potentials E, [Mg²⁺] mg; V relative to rest). */
function jumpRhs(v: number, a: number, W: number, w: Float64Array, E: Float64Array, mg: Float64Array, m: number, rest: number): number {
  let f = a - W * v;
  for (let k = 0; k < m; k++) f -= w[k] * nmdaBlock(v + rest, mg[k]) * (v - E[k]);
  return f;
}

function rk4(v0: number, steps: number, a: number, W: number, w: Float64Array, E: Float64Array, mg: Float64Array, m: number, rest: number): number {
  const h = 1 / steps;
  let v = v0;
  for (let s = 0; s < steps; s++) {
    const k1 = jumpRhs(v, a, W, w, E, mg, m, rest);
    const k2 = jumpRhs(v + 0.5 * h * k1, a, W, w, E, mg, m, rest);
    const k3 = jumpRhs(v + 0.5 * h * k2, a, W, w, E, mg, m, rest);
    const k4 = jumpRhs(v + h * k3, a, W, w, E, mg, m, rest);
    v += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return v;
}

/**
 * V right after simultaneous pulses of which the first m in (w, E, mg) carry an NMDA block
 * B(V + rest) with [Mg²⁺] = mg[k] mM (w[k] = J·w of the pulse, E[k] its reversal potential in mV
 * relative to rest); c, W, WE as in pulseJump for the unblocked rest. Allocates nothing.
 */
export function blockedPulseJump(
  V: number,
  c: number,
  W: number,
  WE: number,
  w: Float64Array,
  E: Float64Array,
  mg: Float64Array,
  m: number,
  rest: number,
): number {
  let blocked = 0;
  let stiff = W;
  for (let k = 0; k < m; k++) {
    blocked += w[k];
    // |d/dV (B(V)(V − E))| ≤ 1 + max B'·|V − E| with max B' = 0.062/4 per mV.
    stiff += w[k] * (1 + 0.0155 * Math.abs(V - E[k]));
  }
  if (blocked === 0) return pulseJump(V, c, W, WE);
  const a = c + WE;
  let steps = Math.max(2, Math.ceil(2 * stiff));
  let coarse = rk4(V, steps, a, W, w, E, mg, m, rest);
  for (;;) {
    steps *= 2;
    const fine = rk4(V, steps, a, W, w, E, mg, m, rest);
    // The right-hand side is smooth with bounded derivatives, so agreement comes long before the
    // cap; the cap only keeps a NaN input (which never agrees) from looping forever.
    if (Math.abs(fine - coarse) <= PULSE_TOLERANCE_MV || steps >= 1 << 20) return fine;
    coarse = fine;
  }
}
