/**
 * Two-state kinetic receptor gate with a rectangular transmitter pulse (docs/equations.md §2), after
 * Destexhe, Mainen & Sejnowski (1994) "An efficient method for computing synaptic conductances
 * based on a kinetic model of receptor binding", Neural Comput. 6:14–18:
 *
 *   ds/dt = α [T](t) (1 − s) − β s,
 *
 * where [T] = Tmax (mM) for `pulseDuration` seconds after each presynaptic spike and 0 otherwise.
 * A spike during a pulse extends the pulse to end `pulseDuration` after the new spike (the
 * amplitude stays Tmax: transmitter does not add up in this model). The solution is exact:
 *
 *   during the pulse: s(t+Δ) = s∞ + (s − s∞) e^{−kΔ},  k = αTmax + β,  s∞ = αTmax/k;
 *   after it:         s(t+Δ) = s e^{−βΔ};
 *
 * and an advance to an arbitrary time splits the interval at the end of the pulse if it falls
 * inside, so any step grid gives the same s (up to rounding). The gate saturates (it is not
 * linear in the kicks), so its state lives per presynaptic neuron when all its outgoing synapses
 * are identical ("aligned pre") and per synapse otherwise (docs/equations.md §2).
 *
 * Current: I = ḡ s (V − E_rev) for AMPA and GABA_A; NMDA multiplies by the magnesium block
 * B(V) (./filters.ts nmdaBlock).
 */
import { decayFactor, oneMinusExpOverX } from './exact';
import { nmdaBlock } from './filters';

/** Parameters of a two-state receptor with a rectangular transmitter pulse. */
export interface KineticReceptorParams {
  /** Binding rate α, per mM per second (1 mM⁻¹ms⁻¹ = 1000 mM⁻¹s⁻¹). */
  readonly alpha: number;
  /** Unbinding rate β, per second, ≥ 0. */
  readonly beta: number;
  /** Transmitter concentration during the pulse, mM. */
  readonly Tmax: number;
  /** Pulse duration after each spike, seconds. */
  readonly pulseDuration: number;
  /** Reversal potential, mV. */
  readonly Erev: number;
  /** Extracellular [Mg²⁺] in mM for an NMDA-type voltage block; undefined: no block. */
  readonly mgMillimolar?: number;
}

/** Per-gate state arrays (same length). */
export interface KineticState {
  /** Open fraction s at tLast. */
  readonly s: Float64Array;
  /** Time of the last update, seconds. */
  readonly tLast: Float64Array;
  /** End of the current (or last) transmitter pulse, seconds (−Infinity: none yet). */
  readonly pulseEnd: Float64Array;
}

/** Allocates n closed gates (s = 0), no pulse, at time t0 (seconds). */
export function createKineticState(n: number, t0 = 0): KineticState {
  return { s: new Float64Array(n), tLast: new Float64Array(n).fill(t0), pulseEnd: new Float64Array(n).fill(-Infinity) };
}

/** Rate k = αTmax + β (1/s) of the relaxation during a pulse. */
export function kineticPulseRate(p: KineticReceptorParams): number {
  return p.alpha * p.Tmax + p.beta;
}

/** Open fraction approached during a long pulse, s∞ = αTmax/(αTmax + β). */
export function kineticSteadyOpen(p: KineticReceptorParams): number {
  return (p.alpha * p.Tmax) / kineticPulseRate(p);
}

/**
 * Advances gate i exactly from st.tLast[i] to t ≥ st.tLast[i] (seconds), splitting at the end of
 * the pulse if it falls inside, sets tLast = t, and returns ∫ s dt over the interval (seconds).
 */
export function kineticAdvance(p: KineticReceptorParams, st: KineticState, i: number, t: number): number {
  const t0 = st.tLast[i];
  st.tLast[i] = t;
  if (!(t > t0)) return 0;
  let s = st.s[i];
  let integral = 0;
  let offStart = t0;
  const end = st.pulseEnd[i];
  if (end > t0) {
    const onEnd = end < t ? end : t;
    const on = onEnd - t0;
    const k = kineticPulseRate(p);
    const sInf = (p.alpha * p.Tmax) / k;
    // ∫₀^on (s∞ + (s − s∞)e^{−kτ}) dτ = s∞·on + (s − s∞)·on·φ(k·on), φ(ε) = (1 − e^{−ε})/ε.
    integral += sInf * on + (s - sInf) * on * oneMinusExpOverX(k * on);
    s = sInf + (s - sInf) * Math.exp(-k * on);
    offStart = onEnd;
  }
  const off = t - offStart;
  if (off > 0) {
    integral += s * off * oneMinusExpOverX(p.beta * off);
    s *= decayFactor(off, 1 / p.beta);
  }
  st.s[i] = s;
  return integral;
}

/** Exact step of a gate without transmitter over a fixed dt: s ← s·e^{−βdt}, ∫s = s·dt·φ(βdt). */
export interface KineticDecayPropagator {
  readonly decay: number;
  /** ∫₀^dt e^{−βτ} dτ (seconds). */
  readonly integral: number;
}

/** The decay propagator over dt seconds (compute once per dt). */
export function kineticDecayPropagator(p: KineticReceptorParams, dt: number): KineticDecayPropagator {
  return { decay: decayFactor(dt, 1 / p.beta), integral: dt * oneMinusExpOverX(p.beta * dt) };
}

/**
 * kineticAdvance over one step of the propagator's dt, to time t, for a gate whose pulse ended at
 * or before st.tLast[i] (pulseEnd ≤ tLast): the same exact decay, with its exponential computed
 * once per dt instead of once per gate and step. Returns ∫ s dt over the step.
 */
export function kineticDecayStep(prop: KineticDecayPropagator, st: KineticState, i: number, t: number): number {
  const s = st.s[i];
  st.s[i] = s * prop.decay;
  st.tLast[i] = t;
  return s * prop.integral;
}

/**
 * A presynaptic spike at time t ≥ st.tLast[i]: advances to t, then starts (or extends) the
 * transmitter pulse to end at t + pulseDuration. Returns ∫ s dt over the advance.
 */
export function kineticOnSpike(p: KineticReceptorParams, st: KineticState, i: number, t: number): number {
  const integral = kineticAdvance(p, st, i, t);
  const end = t + p.pulseDuration;
  if (end > st.pulseEnd[i]) st.pulseEnd[i] = end;
  return integral;
}

/**
 * Conductance-based input −ḡ s B(V)(V − E_rev) (mV when ḡ is relative to the leak); B ≡ 1 unless
 * the receptor has an NMDA-type magnesium block (mgMillimolar defined).
 */
export function kineticInput(p: KineticReceptorParams, gBar: number, s: number, V: number): number {
  const block = p.mgMillimolar === undefined ? 1 : nmdaBlock(V, p.mgMillimolar);
  return -gBar * s * block * (V - p.Erev);
}

/**
 * Published two-state parameter sets, converted to seconds (α in mM⁻¹s⁻¹, β in s⁻¹):
 * Destexhe, Mainen & Sejnowski (1998) "Kinetic models of synaptic transmission", in Koch & Segev
 * (eds.), Methods in Neuronal Modeling, 2nd ed., MIT Press, pp. 1–25 (the simple two-state
 * models fitted there with a 1 mM, 1 ms transmitter pulse; the pulse method is from Destexhe,
 * Mainen & Sejnowski 1994, Neural Comput. 6:14–18). The numbers below are as distributed in the
 * authors' NEURON models (ampa.mod: α = 1.1 /ms/mM, β = 0.19 /ms; gabaa.mod: α = 5, β = 0.18,
 * E = −80 mV; nmda.mod: α = 0.072, β = 0.0066, [Mg²⁺] = 1 mM), which we checked; we did not check
 * them against the printed chapter. The magnesium block is Jahr & Stevens (1990).
 */
export const KINETIC_PRESETS = {
  /** AMPA: DMS 1998, α = 1.1 mM⁻¹ms⁻¹, β = 0.19 ms⁻¹, 1 mM × 1 ms pulse, E = 0 mV. */
  ampa: { alpha: 1100, beta: 190, Tmax: 1, pulseDuration: 1e-3, Erev: 0 },
  /** GABA_A: DMS 1998, α = 5 mM⁻¹ms⁻¹, β = 0.18 ms⁻¹, 1 mM × 1 ms pulse, E = −80 mV. */
  gabaA: { alpha: 5000, beta: 180, Tmax: 1, pulseDuration: 1e-3, Erev: -80 },
  /** NMDA: DMS 1998, α = 0.072 mM⁻¹ms⁻¹, β = 0.0066 ms⁻¹, 1 mM × 1 ms pulse, E = 0 mV, [Mg²⁺] = 1 mM. */
  nmda: { alpha: 72, beta: 6.6, Tmax: 1, pulseDuration: 1e-3, Erev: 0, mgMillimolar: 1 },
} as const satisfies Record<string, KineticReceptorParams>;
