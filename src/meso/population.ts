/**
 * One population at the mesoscopic level (docs/equations.md §6; Schwalger, Deger & Gerstner 2017,
 * PLoS Comput. Biol. 13:e1005507): neurons are grouped by the step of their last spike, and each
 * group ("age bin") carries the expected number of its neurons that have not fired since (m), the
 * variance of that number (v), the potential those neurons share (V) and their adaptation (a).
 *
 * The neuron discretisation is the micro engine's (docs/step-semantics.md, step 3): exact
 * membrane step with the input held, hazard c·exp((V − θ)/Δu) at both ends of the step,
 * P = 1 − exp(−dt(λ_start + λ_end)/2), R = round(tRef/dt) refractory steps after a spike. So a
 * comparison with micro measures the mesoscopic approximation, not a discretisation difference.
 *
 * Adaptation follows the quasi-renewal approximation of the paper: the kernel of a neuron's own last
 * spike is kept exactly, θ_own(j) = Σ_k (J_k/τ_k) e^{−j dt/τ_k}; its earlier spikes are replaced by
 * the population's spikes before it, weighted with the effective kernel Δu(1 − e^{−θ_own/Δu})
 * (Naud & Gerstner 2012; Schwalger et al. 2017, Eq. 87 and Fig. 12). Spikes older than the K bins
 * enter linearly (the kernel is small there).
 */
import { NEURON_LIF, NEURON_POISSON, type CompiledPopulation } from '../compile';
import { decayFactor } from '../synapse/exact';
import { fastExp, oneMinusExpNeg } from './hazardMath';
import { nmdaBlock } from '../synapse/filters';
import type { StpKind } from '../compile';

/**
 * How far back the age bins reach beyond refractoriness, in τm: V has then forgotten its reset
 * to e^{−6} (0.25 %), and the lumped class that takes older neurons averages potentials that
 * differ by less than that.
 */
const MEMBRANE_MEMORY = 6;
/** The bins reach at least until the own adaptation kernel has fallen below this fraction of Δu. */
const ADAPTATION_MEMORY = 0.01;

/**
 * Number of age bins of a neuron population: refractoriness, then 6τm for the potential to forget
 * its reset, and at least until θ_own(K) < 0.01·Δu.
 */
export function historyLength(plan: CompiledPopulation, dt: number): number {
  if (plan.model === NEURON_POISSON) return 0;
  let K = plan.refSteps + 1 + Math.ceil((MEMBRANE_MEMORY * plan.tauM) / dt);
  const scale = plan.model === NEURON_LIF ? 1 : plan.deltaU;
  const own = (j: number) => plan.adaptKick.reduce((s, kick, q) => s + kick * plan.adaptDecay[q] ** j, 0);
  while (own(K) > ADAPTATION_MEMORY * scale) K++;
  return K;
}

/** θ_own(j) for j = 0 … K and the effective kernel Δu(1 − e^{−θ_own/Δu}) (linear for a deterministic LIF). */
export function adaptationKernels(plan: CompiledPopulation, K: number): { own: Float64Array; effective: Float64Array } {
  const own = new Float64Array(K + 2);
  const effective = new Float64Array(K + 2);
  for (let j = 0; j < K + 2; j++) {
    for (let q = 0; q < plan.adaptKick.length; q++) own[j] += plan.adaptKick[q] * plan.adaptDecay[q] ** j;
    effective[j] = plan.model === NEURON_LIF ? own[j] : plan.deltaU * -Math.expm1(-own[j] / plan.deltaU);
  }
  return { own, effective };
}

/** Conductance input per population: Σ g_k B_k(V) and Σ g_k B_k(V) E_k over the conductance projections. */
/** A stationary age distribution (survival and potential per age bin), from stationary.ts, that a population can be set to. */
export interface AgeProfile {
  /** Survival S_j to the start of bin j's step (m_j = N·r·dt·S_j). */
  S: Float64Array;
  /** Potential at the start of bin j's step. */
  V: Float64Array;
  /** Σ_{j ≥ K} S_j and the S-weighted mean of V over those ages (the lumped class). */
  freeS: number;
  freeV: number;
  /** Σ_{j ≥ K} S_j D^{j+1} / Σ_{j ≥ K} S_j: the lumped class's mean of a quantity that relaxes by D per step since the spike. */
  freeDecay: (D: number) => number;
}

export interface ConductanceInput {
  /** Conductance (dimensionless, in units of the leak) of each conductance projection this step. */
  readonly g: Float64Array;
  readonly E: Float64Array;
  /** [Mg²⁺] in mM per projection; 0: no block. */
  readonly mg: Float64Array;
}

/**
 * Age-resolved STP state of one outgoing projection (`stp: 'age'`, docs/meso.md): the mean u and x
 * of the neurons of each age bin. Neurons that fired recently have spent their resources and are
 * refractory, so the neurons that fire carry more resources than the population mean x̄ when
 * firing is regular; the bins see that, a single x̄ does not.
 */
export interface StpTrack {
  readonly U: number;
  readonly U0: number;
  readonly facilitating: boolean;
  readonly decayD: number;
  readonly decayF: number;
  readonly u: Float64Array;
  readonly x: Float64Array;
  /**
   * E[x²] of each bin (without facilitation). The neurons of a bin share their hazard, so those
   * that fire are a random sample of the bin, and the spread of the released resources across the
   * spikers — the synaptic noise of the all-to-all input — follows from these exactly. With regular
   * firing it is far smaller than the Poisson spread of MF2 (docs/meso.md, V3).
   */
  readonly x2: Float64Array;
  uFree: number;
  xFree: number;
  x2Free: number;
  /** Means over the neurons that fire in this step: E[u⁺], E[x⁻], E[u⁺x⁻] (set by expectedCount). */
  spikeU: number;
  spikeX: number;
  spikeW: number;
  /** E[x⁻²] and E[(u⁺x⁻)²] over the spikers; NaN with facilitation (the engine then uses MF2's spread). */
  spikeX2: number;
  spikeW2: number;
  /** Means over all neurons (for recording). */
  meanU: number;
  meanX: number;
}

/**
 * V_{n+1} of a neuron out of refractoriness that starts the step at v0 (after delta jumps): the
 * exact solution with the input held, V∞ = (μ + I_cur + GE)/(1 + G), rate (1 + G)/τm, G and GE with
 * the NMDA block at v0 (docs/step-semantics.md step 3).
 */
export function membraneNext(p: CompiledPopulation, v0: number, drive: number, Icur: number, cond: ConductanceInput | null, dt: number): number {
  let G = 0;
  let GE = 0;
  if (cond) {
    for (let c = 0; c < cond.g.length; c++) {
      const B = cond.mg[c] > 0 ? nmdaBlock(v0 + p.restPotential, cond.mg[c]) : 1;
      G += cond.g[c] * B;
      GE += cond.g[c] * B * cond.E[c];
    }
  }
  if (G !== 0) {
    const lam = 1 + G;
    const vInf = (drive + Icur + GE) / lam;
    return vInf + (v0 - vInf) * Math.exp(-(dt * lam) / p.tauM);
  }
  const vInf = drive + Icur;
  return vInf + (v0 - vInf) * p.decayM;
}

export class MesoPopulation {
  readonly N: number;
  /** Age bins; bin j holds the neurons whose last spike was j + 1 steps before the current step. */
  readonly K: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly V: Float64Array;
  /** Fraction n/N of the population that fired in the step that opened each bin. */
  private readonly nBin: Float64Array;
  /** θ_own and the effective quasi-renewal kernel by age (adaptation only). */
  private readonly ownTheta: Float64Array;
  private readonly effTheta: Float64Array;
  /** Threshold at the step start from population spikes older than the bins, per kernel. */
  private readonly oldTrace: Float64Array;
  private readonly P: Float64Array;
  /**
   * λ_end of each bin's last step, which is λ_start of its next one unless a delta kick moved V
   * (NaN: not known). Halves the exponentials per step.
   */
  private readonly lamEnd: Float64Array;
  private lamEndFree = NaN;
  /** Sums over the bins of the current step: Σm, Σv, Σm·V (V at the step start, u_r if refractory), ΣP·m, ΣP·v. */
  private sumM = 0;
  private sumV = 0;
  private sumMV = 0;
  private sumPm = 0;
  private sumPv = 0;
  /** Ring position of bin 0. */
  private head = 0;
  /**
   * The ring slots of the bins opened with neurons in them, youngest first (a queue over a ring of
   * K slots: `occ[(occStart + i) % K]` is the i-th youngest). A bin opened by a step without
   * spikes has m = v = 0 for ever, so the loops run over this queue instead of all K slots: at low
   * rates most bins are empty (V2's postsynaptic populations fire ~0.25 Hz: ~0.3 of 249 bins
   * occupied), and the step's cost follows the occupied bins. The arithmetic and its order per bin
   * are unchanged (the skipped terms were exact zeros), so the numbers are those of the full scan.
   */
  private readonly occ: Int32Array;
  private occStart = 0;
  private occLen = 0;
  // The lumped class of neurons older than K steps (or that never fired).
  private mFree = 0;
  private vFree = 0;
  private VFree = 0;
  /** Expected and realised spike counts of the last step. */
  expected = 0;
  count = 0;
  /** Membrane potential averaged over all neurons (refractory ones at u_r) at the start of the last step. */
  meanV = 0;
  readonly tracks: StpTrack[] = [];
  private lambda = 0;
  private Pfree = 0;
  /** Thresholds of the lumped class at the start and end of the current step. */
  private freeTheta0 = 0;
  private freeTheta1 = 0;

  constructor(
    readonly plan: CompiledPopulation,
    dt: number,
  ) {
    this.N = plan.N;
    const nA = plan.adaptDecay.length;
    this.K = historyLength(plan, dt);
    this.m = new Float64Array(this.K);
    this.v = new Float64Array(this.K);
    this.V = new Float64Array(this.K);
    this.nBin = new Float64Array(this.K);
    const kernels = adaptationKernels(plan, this.K);
    this.ownTheta = kernels.own;
    this.effTheta = kernels.effective;
    this.oldTrace = new Float64Array(nA);
    this.P = new Float64Array(this.K);
    this.lamEnd = new Float64Array(this.K).fill(NaN);
    this.occ = new Int32Array(Math.max(this.K, 1));
    this.reset();
  }

  /** Tracks u, x per age bin for an outgoing STP projection (Tsodyks–Markram or depression); returns the track. */
  addStpTrack(kind: Extract<StpKind, { model: 'depression' | 'tsodyks-markram' }>, dt: number): StpTrack {
    const tm = kind.model === 'tsodyks-markram';
    const U = kind.params.U;
    const U0 = tm ? kind.params.U0 : U;
    const facilitating = tm && kind.params.tauF > 0;
    const track: StpTrack = {
      // Without facilitation u⁺ = U0 + U(1 − U0) at every spike: a depression with that U.
      U: tm && !facilitating ? U0 + U * (1 - U0) : U,
      U0: tm && !facilitating ? U0 + U * (1 - U0) : U0,
      facilitating,
      decayD: decayFactor(dt, kind.params.tauD),
      decayF: facilitating ? decayFactor(dt, kind.params.tauF) : 0,
      u: new Float64Array(this.K),
      x: new Float64Array(this.K),
      x2: new Float64Array(this.K),
      uFree: 0,
      xFree: 1,
      x2Free: 1,
      spikeU: 0,
      spikeX: 1,
      spikeW: 0,
      spikeX2: 1,
      spikeW2: 0,
      meanU: 0,
      meanX: 1,
    };
    this.tracks.push(track);
    this.resetTrack(track);
    return track;
  }

  private resetTrack(t: StpTrack): void {
    const u0 = t.facilitating ? t.U0 : 0;
    t.u.fill(u0);
    t.x.fill(1);
    t.x2.fill(1);
    t.uFree = u0;
    t.xFree = 1;
    t.x2Free = 1;
    t.meanU = t.facilitating ? t.U0 : t.U;
    t.meanX = 1;
  }

  /** The micro engine's initial state: every neuron at V0, not refractory, no adaptation. */
  reset(): void {
    for (const t of this.tracks) this.resetTrack(t);
    this.m.fill(0);
    this.v.fill(0);
    this.V.fill(this.plan.uReset);
    this.nBin.fill(0);
    this.oldTrace.fill(0);
    this.head = 0;
    this.occStart = 0;
    this.occLen = 0;
    this.mFree = this.N;
    this.vFree = 0;
    this.VFree = this.plan.V0;
    this.lamEnd.fill(NaN);
    this.lamEndFree = NaN;
    this.expected = 0;
    this.count = 0;
    this.meanV = this.plan.V0;
  }

  /**
   * Expected spike count of the step for a Poisson population at rate r, and for a neuron
   * population given its drive μ and input (I_cur, current-based, plus conductances). Updates the
   * bins' potentials and survivals as if the step's spikes were n̄; `commit` then opens the new bin
   * with the realised count. Returns n̄ (between 0 and N).
   */
  expectedCount(drive: number, Icur: number, cond: ConductanceInput | null, deltaKick: number, dt: number): number {
    const p = this.plan;
    if (p.model === NEURON_POISSON) {
      this.expected = this.N * -Math.expm1(-drive * dt);
      return this.expected;
    }
    const nA = p.adaptDecay.length;
    // The lumped class's potential at the step start, for the mean potential.
    const VFree = this.VFree;
    // The probability to fire of the lumped class.
    let Pf: number;
    // The common case (escape noise, current input, no adaptation) has a method of its own, with
    // the arithmetic of generalBins and advanceBin in the same order: both give the same numbers.
    const common = cond === null && nA === 0 && p.model !== NEURON_LIF;
    // Without STP tracks nothing reads m and v before the survival update, which then joins the
    // hazard loop: one pass over the bins, and no loop left here to run unoptimised in the
    // JavaScript engine's warm-up (docs/meso.md, "Cost").
    const survivalsDone = common && this.tracks.length === 0;
    if (common) Pf = this.currentInputStep(drive + Icur, deltaKick, dt, survivalsDone);
    else {
      this.generalBins(drive, Icur, cond, deltaKick, dt);
      Pf =
        nA === 0
          ? this.advanceBin(-1, true, p.uTh, p.uTh, drive, Icur, cond, deltaKick, dt)
          : this.advanceBin(-1, true, this.freeTheta0, this.freeTheta1, drive, Icur, cond, deltaKick, dt);
    }
    let { sumPm, sumPv, sumV, sumM, sumMV } = this;
    sumMV += this.mFree * VFree;
    sumPm += Pf * this.mFree;
    sumPv += Pf * this.vFree;
    sumV += this.vFree;
    sumM += this.mFree;
    this.meanV = sumM > 0 ? sumMV / sumM : p.uReset;
    // Finite-size correction: the neurons the bins miss (N − Σm, positive or negative) fire with the variance-weighted hazard.
    const lambda = sumV > 0 ? sumPv / sumV : 0;
    let nBar = sumPm + lambda * (this.N - sumM);
    if (!(nBar > 0)) nBar = 0;
    else if (nBar > this.N) nBar = this.N;
    this.expected = nBar;
    this.lambda = lambda;
    this.Pfree = Pf;
    for (const t of this.tracks) this.spikeMeans(t, this.N - sumM);
    // Survival update with the hazards of this step (the new bin is opened in commit).
    if (!survivalsDone) this.updateSurvivals();
    this.vFree = (1 - Pf) * (1 - Pf) * this.vFree + Pf * this.mFree;
    this.mFree *= 1 - Pf;
    return nBar;
  }

  /**
   * The step of the bins and the lumped class of an escape-noise neuron with current input only,
   * from the youngest bin to the oldest: the membrane relaxes exactly towards the held
   * V∞ = μ + I, the hazard is evaluated at both ends of the step (λ_start from the cache where no
   * delta kick moved V), and P = 1 − exp(−dt(λ_start + λ_end)/2). Sets P and the bins' sums (Σm,
   * Σv, Σm·V, ΣP·m, ΣP·v), with `updateSurvivals` also the bins' survival update
   * (updateSurvivals()); returns the lumped class's P.
   *
   * This loop is most of the step's cost (docs/meso.md, "Cost"), and most of the loop the two
   * exponentials per occupied bin: hazardMath.ts's, which TurboFan inlines here. The lumped class
   * is stepped here too, not by advanceBin, so that this is expectedCount's only call in this
   * case: with two calls of equal frequency, TurboFan sometimes inlined advanceBin into
   * expectedCount first and then lacked the inlining budget for the exponential of the bins' loop,
   * which stayed a call (seen with --trace-turbo-inlining).
   */
  private currentInputStep(vInf: number, deltaKick: number, dt: number, updateSurvivals: boolean): number {
    const { m, v, V, P, K, lamEnd } = this;
    const p = this.plan;
    const R = p.refSteps;
    const uReset = p.uReset;
    const decayM = p.decayM;
    const invDeltaU = 1 / p.deltaU;
    const c = p.c;
    const uTh = p.uTh;
    const halfDt = 0.5 * dt;
    const useCache = deltaKick === 0;
    let sumM = 0;
    let sumV = 0;
    let sumMV = 0;
    let sumPm = 0;
    let sumPv = 0;
    const { occ, head, occLen } = this;
    for (let i = 0, q = this.occStart; i < occLen; i++, q = q + 1 === K ? 0 : q + 1) {
      const k = occ[q];
      const j = k >= head ? k - head : k + K - head;
      const mk = m[k];
      const vk = v[k];
      // An empty bin stays empty (m only decreases): its potential never matters again.
      if (mk === 0 && vk === 0) {
        P[k] = 0;
        continue;
      }
      sumM += mk;
      sumV += vk;
      if (j < R) {
        sumMV += mk * uReset;
        P[k] = 0;
        continue;
      }
      const v0 = V[k] + deltaKick;
      sumMV += mk * V[k];
      const vNext = vInf + (v0 - vInf) * decayM;
      V[k] = vNext;
      const cached = lamEnd[k];
      const lam0 = useCache && cached === cached ? cached : c * fastExp((v0 - uTh) * invDeltaU);
      const lam1 = c * fastExp((vNext - uTh) * invDeltaU);
      lamEnd[k] = lam1;
      const Pk = oneMinusExpNeg(halfDt * (lam0 + lam1));
      P[k] = Pk;
      sumPm += Pk * mk;
      sumPv += Pk * vk;
      if (updateSurvivals) {
        v[k] = (1 - Pk) * (1 - Pk) * vk + Pk * mk;
        m[k] = mk * (1 - Pk);
      }
    }
    this.sumM = sumM;
    this.sumV = sumV;
    this.sumMV = sumMV;
    this.sumPm = sumPm;
    this.sumPv = sumPv;
    // The lumped class, as advanceBin(−1, …) steps it.
    const vFree0 = this.VFree + deltaKick;
    const vFree1 = vInf + (vFree0 - vInf) * decayM;
    this.VFree = vFree1;
    const cachedFree = this.lamEndFree;
    const lamFree0 = useCache && cachedFree === cachedFree ? cachedFree : c * fastExp((vFree0 - uTh) * invDeltaU);
    const lamFree1 = c * fastExp((vFree1 - uTh) * invDeltaU);
    this.lamEndFree = lamFree1;
    return oneMinusExpNeg(halfDt * (lamFree0 + lamFree1));
  }

  /** v_j ← (1 − P_j)²v_j + P_j m_j, m_j ← (1 − P_j)m_j with the hazards of this step (the new bin is opened in commit). */
  private updateSurvivals(): void {
    const { m, v, P, K, occ, occLen } = this;
    for (let i = 0, q = this.occStart; i < occLen; i++, q = q + 1 === K ? 0 : q + 1) {
      const k = occ[q];
      const Pk = P[k];
      v[k] = (1 - Pk) * (1 - Pk) * v[k] + Pk * m[k];
      m[k] *= 1 - Pk;
    }
  }

  /**
   * The bins' step in general (conductances, adaptation, deterministic LIF), from the oldest bin to
   * the youngest, so that the population spikes older than each bin (its neurons' earlier spikes,
   * in the quasi-renewal approximation) are a running sum. Sets P and the sums as currentInputStep.
   */
  private generalBins(drive: number, Icur: number, cond: ConductanceInput | null, deltaKick: number, dt: number): void {
    const { m, v, V, P, K, nBin, ownTheta, effTheta } = this;
    const p = this.plan;
    const nA = p.adaptDecay.length;
    const R = p.refSteps;
    let sumPm = 0;
    let sumPv = 0;
    let sumV = 0;
    let sumM = 0;
    let sumMV = 0;
    let older0 = 0;
    let older1 = 0;
    for (let q = 0; q < nA; q++) {
      older0 += this.oldTrace[q];
      older1 += this.oldTrace[q] * p.adaptDecay[q];
    }
    const { occ, head } = this;
    // Oldest first; the bins not in the queue have nBin = 0 and add nothing to the running sums.
    for (let i = this.occLen - 1, q = (this.occStart + this.occLen - 1) % K; i >= 0; i--, q = q === 0 ? K - 1 : q - 1) {
      const k = occ[q];
      const j = k >= head ? k - head : k + K - head;
      const mk = m[k];
      if (!(mk === 0 && v[k] === 0)) {
        sumMV += mk * (j < R ? p.uReset : V[k]);
        const Pk = this.advanceBin(k, j >= R, p.uTh + ownTheta[j] + older0, p.uTh + ownTheta[j + 1] + older1, drive, Icur, cond, deltaKick, dt);
        P[k] = Pk;
        sumPm += Pk * mk;
        sumPv += Pk * v[k];
        sumV += v[k];
        sumM += mk;
      } else P[k] = 0;
      older0 += nBin[k] * effTheta[j];
      older1 += nBin[k] * effTheta[j + 1];
    }
    this.freeTheta0 = p.uTh + older0;
    this.freeTheta1 = p.uTh + older1;
    this.sumM = sumM;
    this.sumV = sumV;
    this.sumMV = sumMV;
    this.sumPm = sumPm;
    this.sumPv = sumPv;
  }

  /**
   * One step of the neurons of bin k (k = −1: the lumped class) out of refractoriness, with
   * thresholds θ at the start and the end of the step: the exact membrane step and the probability
   * to fire in the step.
   */
  private advanceBin(
    k: number,
    free: boolean,
    theta0: number,
    theta1: number,
    drive: number,
    Icur: number,
    cond: ConductanceInput | null,
    deltaKick: number,
    dt: number,
  ): number {
    const p = this.plan;
    if (!free) return 0;
    const v0 = (k >= 0 ? this.V[k] : this.VFree) + deltaKick;
    const vNext = membraneNext(p, v0, drive, Icur, cond, dt);
    if (k >= 0) this.V[k] = vNext;
    else this.VFree = vNext;
    if (p.model === NEURON_LIF) return vNext >= p.uTh ? 1 : 0;
    const invDeltaU = 1 / p.deltaU;
    const cached = k >= 0 ? this.lamEnd[k] : this.lamEndFree;
    const lam0 = deltaKick === 0 && cached === cached ? cached : p.c * fastExp((v0 - theta0) * invDeltaU);
    const lam1 = p.c * fastExp((vNext - theta1) * invDeltaU);
    if (k >= 0) this.lamEnd[k] = lam1;
    else this.lamEndFree = lam1;
    return oneMinusExpNeg(0.5 * dt * (lam0 + lam1));
  }

  /**
   * u⁺, x⁻ and u⁺x⁻ averaged over the neurons expected to fire in this step (bins weighted by P_j m_j,
   * the neurons the bins miss by the finite-size hazard Λ with the variance-weighted state), and
   * u, x averaged over all neurons. Called before the survivals are updated.
   */
  private spikeMeans(t: StpTrack, missing: number): void {
    const { m, v, P, K } = this;
    const fac = t.facilitating;
    let sP = 0;
    let sU = 0;
    let sX = 0;
    let sW = 0;
    let sX2 = 0;
    let sPv = 0;
    let vU = 0;
    let vX = 0;
    let vW = 0;
    let vX2 = 0;
    let aM = 0;
    let aU = 0;
    let aX = 0;
    const add = (mk: number, vk: number, Pk: number, uk: number, xk: number, x2k: number) => {
      const up = fac ? uk + t.U * (1 - uk) : t.U;
      const w = up * xk;
      const pm = Pk * mk;
      sP += pm;
      sU += pm * up;
      sX += pm * xk;
      sW += pm * w;
      sX2 += pm * x2k;
      const pv = Pk * vk;
      sPv += pv;
      vU += pv * up;
      vX += pv * xk;
      vW += pv * w;
      vX2 += pv * x2k;
      aM += mk;
      aU += mk * uk;
      aX += mk * xk;
    };
    // In ascending slot order, as when the sums ran over all K slots (the same rounding): the
    // queue is in age order, slots head … K − 1 and then 0 … head − 1.
    const { occ, occStart, occLen, head } = this;
    let split = 0;
    while (split < occLen && occ[(occStart + split) % K] >= head) split++;
    for (let i = split; i < occLen + split; i++) {
      const k = occ[(occStart + (i < occLen ? i : i - occLen)) % K];
      if (m[k] !== 0 || v[k] !== 0) add(m[k], v[k], P[k], t.u[k], t.x[k], t.x2[k]);
    }
    add(this.mFree, this.vFree, this.Pfree, t.uFree, t.xFree, t.x2Free);
    const extra = this.lambda * missing;
    if (extra !== 0 && sPv > 0) {
      sP += extra;
      sU += (extra * vU) / sPv;
      sX += (extra * vX) / sPv;
      sW += (extra * vW) / sPv;
      sX2 += (extra * vX2) / sPv;
    }
    if (sP > 0) {
      t.spikeU = sU / sP;
      t.spikeX = sX / sP;
      t.spikeW = sW / sP;
      t.spikeX2 = sX2 / sP;
    } else {
      // Nobody is expected to fire: the would-be spikers are the lumped class (the most excitable at rest).
      const up = fac ? t.uFree + t.U * (1 - t.uFree) : t.U;
      t.spikeU = up;
      t.spikeX = t.xFree;
      t.spikeW = up * t.xFree;
      t.spikeX2 = t.x2Free;
    }
    t.spikeW2 = fac ? NaN : t.U * t.U * t.spikeX2;
    if (aM > 0) {
      t.meanU = fac ? aU / aM : t.U;
      t.meanX = aX / aM;
    }
  }

  /** Opens the bin of this step's n spikes (real-valued in the macro limit) and ages every bin by one step. */
  commit(n: number): void {
    this.count = n;
    const p = this.plan;
    if (p.model === NEURON_POISSON) return;
    const { m, v, V, K } = this;
    const nA = p.adaptDecay.length;
    // The oldest bin joins the lumped class (its potential has forgotten the reset), and its
    // spikes, K steps old at the next step start, the linear trace of old population spikes.
    const old = (this.head + K - 1) % K;
    const mSum = this.mFree + m[old];
    if (mSum > 0) this.VFree = (this.mFree * this.VFree + m[old] * V[old]) / mSum;
    for (let q = 0; q < nA; q++) this.oldTrace[q] = this.oldTrace[q] * p.adaptDecay[q] + p.adaptKick[q] * p.adaptDecay[q] ** K * this.nBin[old];
    for (const t of this.tracks) {
      if (mSum > 0) {
        t.uFree = (this.mFree * t.uFree + m[old] * t.u[old]) / mSum;
        t.xFree = (this.mFree * t.xFree + m[old] * t.x[old]) / mSum;
        t.x2Free = (this.mFree * t.x2Free + m[old] * t.x2[old]) / mSum;
      }
    }
    this.mFree = mSum;
    this.vFree += v[old];
    this.lamEndFree = NaN;
    // The slot of the oldest bin becomes bin 0, in the queue of occupied bins if n > 0.
    if (this.occLen > 0 && this.occ[(this.occStart + this.occLen - 1) % K] === old) this.occLen--;
    this.head = old;
    if (n !== 0) this.pushYoungest(old);
    m[old] = n;
    v[old] = 0;
    V[old] = p.uReset;
    this.nBin[old] = n / this.N;
    this.lamEnd[old] = NaN;
    for (const t of this.tracks) {
      // The spikers' state just after their spike: u⁺ and x⁻ − u⁺x⁻; then every bin recovers over dt.
      t.u[old] = t.spikeU;
      t.x[old] = t.spikeX - t.spikeW;
      const d = t.decayD;
      const { occ, occStart, occLen } = this;
      if (t.facilitating) {
        // E[x²] is not kept with facilitation (spikeW2 is NaN: the engine uses MF2's spread).
        for (let i = 0; i < occLen; i++) {
          const k = occ[(occStart + i) % K];
          t.x[k] = 1 + (t.x[k] - 1) * d;
          t.u[k] = t.U0 + (t.u[k] - t.U0) * t.decayF;
        }
        t.xFree = 1 + (t.xFree - 1) * d;
        t.uFree = t.U0 + (t.uFree - t.U0) * t.decayF;
        continue;
      }
      // Without facilitation x⁺ = (1 − U)·x⁻ for every spiker.
      t.x2[old] = (1 - t.U) * (1 - t.U) * t.spikeX2;
      for (let i = 0; i < occLen; i++) {
        const k = occ[(occStart + i) % K];
        // x → 1 + d(x − 1) for each neuron: E[x²] → 1 + 2d(E[x] − 1) + d²·E[(x − 1)²].
        t.x2[k] = recoveredSecondMoment(t.x[k], t.x2[k], d);
        t.x[k] = 1 + (t.x[k] - 1) * d;
      }
      t.x2Free = recoveredSecondMoment(t.xFree, t.x2Free, d);
      t.xFree = 1 + (t.xFree - 1) * d;
    }
  }

  /**
   * The stationary state at rate r (Hz) from the renewal profile of stationary.ts: m_j = N·r·dt·S_j,
   * the bins' potentials and adaptation, the lumped class with the rest, the adaptation trace at
   * its stationary value. (For starting the macro equations at a fixed point.)
   */
  setStationary(r: number, dt: number, prof: AgeProfile): void {
    const p = this.plan;
    const nA = p.adaptDecay.length;
    this.head = 0;
    this.occStart = 0;
    this.occLen = 0;
    let sum = 0;
    for (let k = 0; k < this.K; k++) {
      this.occ[this.occLen++] = k;
      this.m[k] = this.N * r * dt * prof.S[k];
      sum += this.m[k];
      this.v[k] = 0;
      this.V[k] = prof.V[k];
      this.nBin[k] = r * dt;
    }
    this.lamEnd.fill(NaN);
    this.mFree = this.N - sum;
    this.vFree = 0;
    this.VFree = prof.freeV;
    this.lamEndFree = NaN;
    for (let q = 0; q < nA; q++) this.oldTrace[q] = (r * dt * p.adaptKick[q] * p.adaptDecay[q] ** this.K) / (1 - p.adaptDecay[q]);
    this.expected = this.count = this.N * r * dt;
  }

  /**
   * A track's stationary state: the neurons of bin j fired j + 1 steps ago with u⁺ = up0 and were
   * left with x = x0; since then x recovered and u relaxed for j + 1 steps.
   */
  setTrackStationary(t: StpTrack, up0: number, x0: number, prof: AgeProfile, x0Sq = x0 * x0): void {
    let Dx = t.decayD;
    let Du = t.decayF;
    // E[(1 − x)²] just after the spike; after j steps it has shrunk by D^{2j}.
    const gap2 = 1 - 2 * x0 + x0Sq;
    for (let k = 0; k < this.K; k++, Dx *= t.decayD, Du *= t.decayF) {
      t.x[k] = 1 - (1 - x0) * Dx;
      t.x2[k] = 1 - 2 * (1 - x0) * Dx + gap2 * Dx * Dx;
      t.u[k] = t.facilitating ? t.U0 + (up0 - t.U0) * Du : t.U;
    }
    t.xFree = 1 - (1 - x0) * prof.freeDecay(t.decayD);
    t.x2Free = 1 - 2 * (1 - x0) * prof.freeDecay(t.decayD) + gap2 * prof.freeDecay(t.decayD * t.decayD);
    t.uFree = t.facilitating ? t.U0 + (up0 - t.U0) * prof.freeDecay(t.decayF) : t.U;
  }

  /** Moves a fraction of the neurons of every bin into bin 0, as if they had just fired (a perturbation). */
  kick(fraction: number): void {
    const f = Math.min(Math.max(fraction, 0), 1);
    let moved = f * this.mFree;
    this.mFree -= moved;
    for (let k = 0; k < this.K; k++) {
      moved += f * this.m[k];
      this.m[k] -= f * this.m[k];
    }
    if (moved > 0 && !this.occupied(this.head)) this.pushYoungest(this.head);
    this.m[this.head] += moved;
  }

  /** Puts a slot at the young end of the queue of occupied bins (it is bin 0, younger than all of them). */
  private pushYoungest(slot: number): void {
    this.occStart = this.occStart === 0 ? this.K - 1 : this.occStart - 1;
    this.occ[this.occStart] = slot;
    this.occLen++;
  }

  private occupied(slot: number): boolean {
    for (let i = 0; i < this.occLen; i++) if (this.occ[(this.occStart + i) % this.K] === slot) return true;
    return false;
  }

  /** The number of bins opened with neurons in them (those the step visits). */
  occupiedBins(): number {
    return this.occLen;
  }

  /** Σm + m_free: the expected number of neurons the bins account for (N in the macro limit). */
  accounted(): number {
    let s = this.mFree;
    for (let k = 0; k < this.K; k++) s += this.m[k];
    return s;
  }
}

/** E[x²] after every neuron's x recovered as x → 1 + d(x − 1), from the means before. */
function recoveredSecondMoment(x: number, x2: number, d: number): number {
  return 1 + 2 * d * (x - 1) + d * d * (x2 - 2 * x + 1);
}
