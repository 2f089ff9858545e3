/**
 * Postsynaptic linear filters (docs/equations.md §2) and their outputs, integrated exactly.
 *
 * A spike of efficacy w through a connection of strength J "kicks" a filter by J·w·scale, where
 * scale is the normalisation factor of the kernel (see below). Between kicks the filters are
 * linear ODEs with constant coefficients, so their evolution over any Δ is an exact propagator:
 *
 * - exponential:      dg/dt = −g/τs                          g(Δ) = g e^{−Δ/τs}
 * - dual exponential: dh/dt = −h/τr,  dg/dt = −g/τd + h      h(Δ) = h e^{−Δ/τr},
 *                                                            g(Δ) = g e^{−Δ/τd} + h C(Δ; τd, τr)
 *   (the kick goes into h; C is the convolution of two exponentials, ./exact.ts)
 * - alpha: the dual exponential with τr = τd = τ, where C(Δ) = Δ e^{−Δ/τ}: the same code path,
 *   exact at equality (C is evaluated without dividing by τd − τr), not a perturbed τ.
 *
 * Normalisation ('peak' or 'integral'): the scale makes the response to a kick of 1·scale have
 * peak 1 or integral 1 (s), so that a spike of efficacy w gives a PSP/PSC whose peak (or
 * integral) is J·w. docs/equations.md writes the exponential filter as τs dg/dt = −g + Σ J w δ, which is
 * the 'integral' normalisation (jump J w/τs); 'peak' is a jump of J w.
 *
 * State lives per postsynaptic neuron and receptor (filters are linear, so inputs sum) in the
 * caller's arrays; propagators for a fixed step are computed once and applied per step without
 * allocation. Each advance returns the exact integral of g over the step, for exact integration
 * of the membrane downstream or of a time-averaged input.
 *
 * Outputs: CUBA input is g itself (mV, when J is in mV); COBA input is −g(V − E_syn) with g
 * dimensionless, relative to the leak; NMDA COBA multiplies by the magnesium block B(V).
 */
import { decayFactor, expConvolution, log1pOverX, oneMinusDecay } from './exact';

/** How a kernel is normalised: its peak or its integral equals J (per unit efficacy). */
export type KernelNormalization = 'peak' | 'integral';

/** Exponential filter. */
export interface ExponentialFilterParams {
  /** Decay time constant, seconds, > 0. */
  readonly tauS: number;
}

/** Dual-exponential filter (alpha function when tauRise === tauDecay). */
export interface DualExpFilterParams {
  /** Rise time constant τr, seconds, > 0 (τr → 0 is the exponential filter: use that one). */
  readonly tauRise: number;
  /** Decay time constant τd, seconds, > 0. */
  readonly tauDecay: number;
}

/** Alpha-function filter with time constant τ (seconds): the dual exponential with τr = τd = τ. */
export function alphaFilter(tau: number): DualExpFilterParams {
  return { tauRise: tau, tauDecay: tau };
}

// --- exponential --------------------------------------------------------------------------------

/** Impulse response of the exponential filter to a unit kick at t = 0: e^{−t/τs} (0 for t < 0). */
export function exponentialImpulse(p: ExponentialFilterParams, t: number): number {
  return t < 0 ? 0 : decayFactor(t, p.tauS);
}

/** Kick scale of the exponential filter: 1 for 'peak', 1/τs for 'integral' (∫e^{−t/τs} = τs). */
export function exponentialKickScale(p: ExponentialFilterParams, norm: KernelNormalization): number {
  return norm === 'peak' ? 1 : 1 / p.tauS;
}

/** Precomputed exact propagator of the exponential filter over a fixed step dt. */
export interface ExponentialPropagator {
  /** e^{−dt/τs}. */
  readonly decay: number;
  /** ∫₀^dt e^{−s/τs} ds = τs(1 − e^{−dt/τs}), seconds. */
  readonly integral: number;
}

/** The exact propagator of the exponential filter over dt seconds (compute once per dt). */
export function exponentialPropagator(p: ExponentialFilterParams, dt: number): ExponentialPropagator {
  return { decay: decayFactor(dt, p.tauS), integral: p.tauS * oneMinusDecay(dt, p.tauS) };
}

/** Advances g[i] over one step with a precomputed propagator; returns ∫ g over the step. */
export function exponentialAdvance(prop: ExponentialPropagator, g: Float64Array, i: number): number {
  const g0 = g[i];
  g[i] = g0 * prop.decay;
  return g0 * prop.integral;
}

// --- dual exponential / alpha -----------------------------------------------------------------

/**
 * Impulse response of g to a unit kick of h at t = 0: C(t; τd, τr) =
 * τdτr/(τd − τr)(e^{−t/τd} − e^{−t/τr}), and t e^{−t/τ} when τr = τd = τ (0 for t < 0). Seconds.
 */
export function dualExpImpulse(p: DualExpFilterParams, t: number): number {
  return t < 0 ? 0 : expConvolution(t, p.tauDecay, p.tauRise);
}

/**
 * Time of the peak of the impulse response, t* = τdτr ln(τd/τr)/(τd − τr), computed as
 * τd · ln(1 + ε)/ε with ε = τd/τr − 1 so that τr = τd gives exactly t* = τ.
 */
export function dualExpPeakTime(p: DualExpFilterParams): number {
  return p.tauDecay * log1pOverX(p.tauDecay / p.tauRise - 1);
}

/** Peak value of the unit impulse response, C(t*; τd, τr) (τ/e for the alpha function), seconds. */
export function dualExpPeakValue(p: DualExpFilterParams): number {
  return expConvolution(dualExpPeakTime(p), p.tauDecay, p.tauRise);
}

/** Integral of the unit impulse response, ∫C = τr τd (s²). */
export function dualExpIntegral(p: DualExpFilterParams): number {
  return p.tauRise * p.tauDecay;
}

/** Kick scale of the dual exponential: 1/peak value ('peak') or 1/(τrτd) ('integral'). */
export function dualExpKickScale(p: DualExpFilterParams, norm: KernelNormalization): number {
  return norm === 'peak' ? 1 / dualExpPeakValue(p) : 1 / dualExpIntegral(p);
}

/** Precomputed exact propagator of the dual-exponential filter over a fixed step dt. */
export interface DualExpPropagator {
  /** e^{−dt/τd}: g → g. */
  readonly gg: number;
  /** C(dt; τd, τr): h → g (seconds). */
  readonly hg: number;
  /** e^{−dt/τr}: h → h. */
  readonly hh: number;
  /** ∫₀^dt of g's own decay, τd(1 − e^{−dt/τd}) (s). */
  readonly gInt: number;
  /** ∫₀^dt C(s) ds = τd(τr(1 − e^{−dt/τr}) − C(dt)) (s²). */
  readonly hInt: number;
}

/**
 * The exact propagator over dt seconds (compute once per dt). hInt uses the identity
 * ∫g = τd(∫h − Δg) of dg/dt = −g/τd + h; it loses relative accuracy like 1e-16·τ/dt for
 * dt ≪ τ (about 1e-13 at dt = τ/1000), which is far below any use of it.
 */
export function dualExpPropagator(p: DualExpFilterParams, dt: number): DualExpPropagator {
  const hg = expConvolution(dt, p.tauDecay, p.tauRise);
  return {
    gg: decayFactor(dt, p.tauDecay),
    hg,
    hh: decayFactor(dt, p.tauRise),
    gInt: p.tauDecay * oneMinusDecay(dt, p.tauDecay),
    hInt: p.tauDecay * (p.tauRise * oneMinusDecay(dt, p.tauRise) - hg),
  };
}

/** Advances (g[i], h[i]) over one step with a precomputed propagator; returns ∫ g over the step. */
export function dualExpAdvance(prop: DualExpPropagator, g: Float64Array, h: Float64Array, i: number): number {
  const g0 = g[i];
  const h0 = h[i];
  g[i] = g0 * prop.gg + h0 * prop.hg;
  h[i] = h0 * prop.hh;
  return g0 * prop.gInt + h0 * prop.hInt;
}

/**
 * Advances (g[i], h[i]) exactly over an arbitrary Δ ≥ 0 seconds (event-driven use; computes the
 * exponentials each call). Returns ∫ g over the interval.
 */
export function dualExpAdvanceBy(p: DualExpFilterParams, g: Float64Array, h: Float64Array, i: number, delta: number): number {
  const g0 = g[i];
  const h0 = h[i];
  const hg = expConvolution(delta, p.tauDecay, p.tauRise);
  g[i] = g0 * decayFactor(delta, p.tauDecay) + h0 * hg;
  h[i] = h0 * decayFactor(delta, p.tauRise);
  return g0 * p.tauDecay * oneMinusDecay(delta, p.tauDecay) + h0 * p.tauDecay * (p.tauRise * oneMinusDecay(delta, p.tauRise) - hg);
}

// --- outputs ------------------------------------------------------------------------------------

/**
 * Conductance-based input term −g(V − E_syn) (mV), g dimensionless (relative to the leak
 * conductance), V and E_syn in mV: τm dV/dt = −(V − E_L) − g(V − E_syn) + ….
 */
export function cobaInput(g: number, V: number, Esyn: number): number {
  return -g * (V - Esyn);
}

/**
 * NMDA magnesium block of Jahr & Stevens (1990) J. Neurosci. 10:3178, in the form used by
 * docs/equations.md §2: B(V) = 1 / (1 + e^{−0.062 V} [Mg²⁺]/3.57), V in mV, [Mg²⁺] in mM (1 mM typical).
 */
export function nmdaBlock(V: number, mgMillimolar: number): number {
  return 1 / (1 + Math.exp(-0.062 * V) * (mgMillimolar / 3.57));
}

/** NMDA conductance-based input −g B(V)(V − E_syn) (mV). */
export function nmdaInput(g: number, V: number, Esyn: number, mgMillimolar: number): number {
  return -g * nmdaBlock(V, mgMillimolar) * (V - Esyn);
}
