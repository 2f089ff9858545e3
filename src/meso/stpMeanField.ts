/**
 * The STP-weighted activity of a finite presynaptic population (docs/equations.md §5; Schmutz, Gerstner &
 * Schwalger 2020, J. Math. Neurosci. 10:5): per step, y = W̄·A_N + sqrt((Ā/dt)·noise)·ξ, where
 * W̄ = E[u⁺x⁻] is evaluated at the *realised* population means ū, x̄ (which therefore fluctuate
 * with the spike counts) and the central second moments S_uu, S_xx, S_ux come from the exact
 * (depression) or closed (Tsodyks–Markram, Gaussian closure) moment equations of src/synapse driven
 * by the expected activity Ā.
 *
 * A "channel" is one set of means: channel 0 the population (all N presynaptic neurons:
 * noise = Var_j(w)/N); channels 1… the partners of one sampled postsynaptic neuron with
 * in-degree C (noise = E[w²]/C − W̄²/N), whose means deplete with that neuron's own y.
 *
 * MF1 drops the second moments (S = 0): W̄ = u⁺(ū)·x̄, and the population channel has no
 * synaptic noise. MF2 keeps both. Static synapses are w ≡ 1.
 */
import type { StpKind } from '../compile';
import { decayFactor } from '../synapse/exact';
import {
  depressionMomentsStep,
  depressionStationaryMoments,
  MF2,
  threeStateMomentsRhs,
  threeStateStationaryMoments,
  tmMf2Efficacy,
  tmMf2EfficacySq,
  tmMf2Rhs,
  tmStationaryMf2Moments,
  TS,
} from '../synapse/stpMoments';
import { createThreeStateState, threeStateRelax, type ThreeStateState } from '../synapse/stpThreeState';

/**
 * 'mf1', 'mf2': Schmutz et al. (2020). 'age': ours — the population's release uses u, x resolved by
 * the age bins of a presynaptic neuron population (population.ts, StpTrack); second moments,
 * noise and sampled neurons as in MF2. For Poisson presynaptic populations it equals MF2.
 */
export type StpMeanFieldOrder = 'mf1' | 'mf2' | 'age';

/**
 * The mean-field a meso or macro run, and the fixed-point analysis, use when none is named: the
 * age-resolved one, the most accurate wherever it was measured (V3, V4, V6 in docs/validation),
 * and equal to MF2 for Poisson populations; `mf2` and `mf1` reproduce Schmutz et al. (2020).
 */
export const STP_MEAN_FIELD_DEFAULT: StpMeanFieldOrder = 'age';

/**
 * Tsodyks–Markram with τF = 0 has u⁻ ≡ U0, so every spike releases (U0 + U(1 − U0))·x: exactly the
 * depression model with that U, whose moment equations are exact.
 */
export function effectiveStp(kind: StpKind): StpKind {
  if (kind.model === 'tsodyks-markram' && kind.params.tauF === 0) {
    const { U, U0, tauD } = kind.params;
    return { model: 'depression', params: { U: U0 + U * (1 - U0), tauD } };
  }
  return kind;
}

export class StpMeanField {
  /** The model as simulated (Tsodyks–Markram with τF = 0 becomes depression). */
  readonly kind: StpKind;
  /** Means per channel. */
  readonly u: Float64Array;
  readonly x: Float64Array;
  /** Raw moments driven by Ā: MF2 layout (Tsodyks–Markram), [E[x], E[x²]] (depression) or TS layout (three-state). */
  private readonly moments: Float64Array;
  /** Three-state: the channels' means x̄, ȳ, z̄, relaxed exactly by src/synapse (x̄ is kept in step with this.x). */
  private readonly three: ThreeStateState | null;
  private readonly k1 = new Float64Array(MF2.SIZE);
  private readonly k2 = new Float64Array(MF2.SIZE);
  private readonly k3 = new Float64Array(MF2.SIZE);
  private readonly k4 = new Float64Array(MF2.SIZE);
  private readonly tmp = new Float64Array(MF2.SIZE);
  private readonly atMeans = new Float64Array(MF2.SIZE);
  private readonly decayD: number;
  private readonly decayF: number;
  /** u reported for a model without facilitation (depression: U; none: 1). */
  private readonly fixedU: number;
  /** Last step's mean efficacy W̄ and efficacy variance term per channel (for tests and diagnostics). */
  readonly lastW: Float64Array;

  constructor(
    private readonly declared: StpKind,
    readonly order: StpMeanFieldOrder,
    readonly channels: number,
    dt: number,
  ) {
    this.kind = effectiveStp(declared);
    const k = this.kind;
    this.u = new Float64Array(channels);
    this.x = new Float64Array(channels);
    this.lastW = new Float64Array(channels);
    this.moments = new Float64Array(MF2.SIZE);
    this.three = k.model === 'three-state' ? createThreeStateState(channels, 0) : null;
    this.decayD = k.model === 'none' || k.model === 'three-state' ? 0 : decayFactor(dt, k.params.tauD);
    this.decayF = k.model === 'tsodyks-markram' ? decayFactor(dt, k.params.tauF) : 0;
    this.fixedU = k.model === 'depression' || k.model === 'three-state' ? k.params.U : 1;
    this.reset();
  }

  /** Rest: u = U0, x = 1 with no spread. */
  reset(): void {
    const k = this.kind;
    const u0 = k.model === 'tsodyks-markram' ? k.params.U0 : this.fixedU;
    this.u.fill(u0);
    this.x.fill(1);
    this.moments.fill(0);
    if (k.model === 'tsodyks-markram') {
      this.moments[MF2.U] = u0;
      this.moments[MF2.X] = 1;
      this.moments[MF2.UU] = u0 * u0;
      this.moments[MF2.XX] = 1;
      this.moments[MF2.UX] = u0;
    } else if (k.model === 'depression') {
      this.moments[0] = 1;
      this.moments[1] = 1;
    } else if (k.model === 'three-state') {
      this.moments[TS.X] = 1;
      this.moments[TS.XX] = 1;
      const t = this.three!;
      t.x.fill(1);
      t.y.fill(0);
      t.z.fill(0);
      t.tLast.fill(0);
    }
  }

  /** The stationary state at presynaptic rate r: every channel at the means (u, x), the moments at their stationary values. */
  setStationary(u: number, x: number, r: number, y = 0, z = 0): void {
    this.u.fill(u);
    this.x.fill(x);
    const k = this.kind;
    if (k.model === 'three-state') {
      this.moments.set(threeStateStationaryMoments(k.params, r));
      const t = this.three!;
      t.x.fill(x);
      t.y.fill(y);
      t.z.fill(z);
      t.tLast.fill(0);
    } else if (k.model === 'depression') {
      const s = depressionStationaryMoments(k.params, r);
      this.moments[0] = s.Ex;
      this.moments[1] = s.Ex2;
    } else if (k.model === 'tsodyks-markram') this.moments.set(tmStationaryMf2Moments(k.params, r));
  }

  /**
   * W̄ and the noise variance factor of channel c: y = W̄·A_N + sqrt((Ā/dt)·noise)·ξ with
   * noise = E[w²]/C − W̄²/N (C = N for the population channel: Var_j(w)/N). Writes W̄ to lastW[c].
   */
  efficacy(c: number, C: number, N: number): number {
    const k = this.kind;
    let W: number;
    let W2: number;
    if (k.model === 'none') {
      W = 1;
      W2 = 1;
    } else if (k.model === 'depression' || k.model === 'three-state') {
      // Both release U·x⁻; their x moments are exact ([E[x], E[x²]] or the TS layout, whose first two entries are not).
      const U = k.params.U;
      const xb = this.x[c];
      const m = this.moments;
      const sxx = this.order === 'mf1' ? 0 : k.model === 'depression' ? m[1] - m[0] * m[0] : m[TS.XX] - m[TS.X] * m[TS.X];
      W = U * xb;
      W2 = U * U * (xb * xb + sxx);
    } else {
      const m = this.moments;
      const ub = this.u[c];
      const xb = this.x[c];
      const mf2 = this.order !== 'mf1';
      const suu = mf2 ? m[MF2.UU] - m[MF2.U] * m[MF2.U] : 0;
      const sxx = mf2 ? m[MF2.XX] - m[MF2.X] * m[MF2.X] : 0;
      const sux = mf2 ? m[MF2.UX] - m[MF2.U] * m[MF2.X] : 0;
      const at = this.atMeans;
      at[MF2.U] = ub;
      at[MF2.X] = xb;
      at[MF2.UU] = ub * ub + suu;
      at[MF2.XX] = xb * xb + sxx;
      at[MF2.UX] = ub * xb + sux;
      W = tmMf2Efficacy(k.params, at);
      W2 = tmMf2EfficacySq(k.params, at);
    }
    this.lastW[c] = W;
    const noise = W2 / C - (W * W) / N;
    this.noiseFactor = noise > 0 ? noise : 0;
    return W;
  }

  /** The noise factor of the last efficacy() call. */
  noiseFactor = 0;

  /**
   * After channel c released y·dt per presynaptic neuron with a fraction `fired` of its neurons
   * firing: x̄ loses the release, ū jumps towards 1, then both relax exactly over dt.
   */
  release(c: number, y: number, fired: number, dt: number): void {
    const k = this.kind;
    if (k.model === 'none') return;
    if (k.model === 'three-state') {
      // The released resources move from x to the active pool y, then (x, y, z) relax exactly over dt.
      // y·dt carries Gaussian noise and may be negative (less release than expected): clipping it
      // at 0 would bias the release upwards at low rates, so only x̄ is kept in [0, 1] (the y and z
      // pools may dip below 0 for a while, as the Gaussian approximation allows).
      const t = this.three!;
      const rel = Math.min(Math.max(y * dt, t.x[c] - 1), t.x[c]);
      t.x[c] -= rel;
      t.y[c] += rel;
      t.tLast[c] = 0;
      threeStateRelax(k.params, t, c, dt);
      this.x[c] = t.x[c];
      return;
    }
    let xb = this.x[c] - y * dt;
    xb = xb < 0 ? 0 : xb > 1 ? 1 : xb;
    this.x[c] = 1 + (xb - 1) * this.decayD;
    if (k.model === 'tsodyks-markram') {
      const { U, U0 } = k.params;
      // A sampled neuron's partner activity y/W̄ carries the Gaussian noise and may be negative;
      // clipping it at 0 would bias ū upwards, so only ū itself is kept in [0, 1].
      let ub = this.u[c] + U * (1 - this.u[c]) * (fired > 1 ? 1 : fired);
      ub = ub < 0 ? 0 : ub > 1 ? 1 : ub;
      this.u[c] = U0 + (ub - U0) * this.decayF;
    }
  }

  /** Advances the second moments over dt at the expected rate r = Ā (Hz). */
  advanceMoments(r: number, dt: number): void {
    const k = this.kind;
    if (k.model === 'none' || this.order === 'mf1') return;
    if (k.model === 'depression') {
      depressionMomentsStep(k.params, r, dt, this.moments);
      return;
    }
    // RK4: one step of dt is accurate to O((dt/τ)⁴, (r·dt)⁴) (the TM closure is nonlinear; three-state is linear).
    const m = this.moments;
    const t = this.tmp;
    this.momentsRhs(r, m, this.k1);
    for (let i = 0; i < MF2.SIZE; i++) t[i] = m[i] + 0.5 * dt * this.k1[i];
    this.momentsRhs(r, t, this.k2);
    for (let i = 0; i < MF2.SIZE; i++) t[i] = m[i] + 0.5 * dt * this.k2[i];
    this.momentsRhs(r, t, this.k3);
    for (let i = 0; i < MF2.SIZE; i++) t[i] = m[i] + dt * this.k3[i];
    this.momentsRhs(r, t, this.k4);
    for (let i = 0; i < MF2.SIZE; i++) m[i] += (dt / 6) * (this.k1[i] + 2 * this.k2[i] + 2 * this.k3[i] + this.k4[i]);
  }

  /** The right-hand side of the moment equations at rate r (three-state or Tsodyks–Markram MF2), without a closure per step. */
  private momentsRhs(r: number, q: ArrayLike<number>, out: Float64Array): void {
    const k = this.kind;
    if (k.model === 'three-state') threeStateMomentsRhs(k.params, r, q, out);
    else if (k.model === 'tsodyks-markram') tmMf2Rhs(k.params, r, q, out);
  }

  /** The recorded STP variables of the population channel, named as the micro engine names them. */
  variables(): Record<string, number> {
    const d = this.declared;
    if (d.model === 'none') return {};
    if (d.model === 'depression') return { x: this.x[0] };
    if (d.model === 'three-state') return { x: this.three!.x[0], y: this.three!.y[0], z: this.three!.z[0] };
    // Without facilitation u⁻ is U0 at every moment.
    return { u: this.kind.model === 'depression' ? d.params.U0 : this.u[0], x: this.x[0] };
  }
}
