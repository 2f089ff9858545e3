/**
 * Stationary states of the macro equations (the N → ∞ limit of the meso engine), computed in the
 * engine's own discretisation, so that a fixed point found here is one that `level: 'macro'`
 * holds (tested against long macro integrations):
 *
 * - a neuron population under constant input fires at the rate of the discrete-time renewal
 *   process of its bins (docs/meso.md step 3): R refractory steps, then free steps from u_r with
 *   P_j = 1 − exp(−dt(λ_start + λ_end)/2); adaptation in the quasi-renewal form, with the
 *   population trace at its stationary value;
 * - the STP means are the fixed points of the engine's release-and-recover maps (MF1, MF2) or,
 *   for `age`, the renewal average of the resources at spike times;
 * - the filters hold their stationary values under a constant kick per step.
 *
 * Fixed points r = F(r) of the population rates are found by a scan with bisection (one
 * population with recurrent input) or by Newton's method from several starts (several).
 */
import { NEURON_LIF, NEURON_POISSON, type CompiledPopulation } from '../compile';
import type { CascadePropagator } from '../synapse/cascade';
import { decayFactor, expConvolution } from '../synapse/exact';
import { MF2, tmMf2Efficacy, tmStationaryMf2Moments } from '../synapse/stpMoments';
import { adaptationKernels, historyLength, membraneNext, type AgeProfile, type ConductanceInput } from './population';
import type { StpKind } from '../compile';
import { effectiveStp, type StpMeanFieldOrder } from './stpMeanField';

/** Constant input into a population, as the meso engine assembles it in step 2. */
export interface StationaryInput {
  Icur: number;
  cond: ConductanceInput | null;
  /** Delta jump per step (mV). */
  deltaKick: number;
}

/** The stationary age distribution over the first K bins (what MesoPopulation holds), per neuron that fires per step. */
export interface RenewalResult {
  /** Stationary rate (Hz). */
  rate: number;
  /** Present when renewalStationary was asked for K bins. */
  ages?: AgeProfile;
  /** Σ_j f_j·D^{j+1}: the generating function of the ISI distribution at D (used for the resources at spikes). */
  isiGenerating: (D: number) => number;
}

/** Survival below which the walk stops adding terms. */
const SURVIVAL_FLOOR = 1e-16;

/**
 * The stationary rate of the discrete renewal process of one neuron population (the meso engine's
 * per-step arithmetic), with the adaptation trace at its stationary value for `rate` (the rate that
 * generates the trace; for a self-consistent state the returned rate equals it).
 */
export function renewalStationary(p: CompiledPopulation, drive: number, input: StationaryInput, dt: number, traceRate: number, bins = 0): RenewalResult {
  if (p.model === NEURON_POISSON) {
    const P = -Math.expm1(-drive * dt);
    return { rate: P / dt, isiGenerating: (D) => (P * D) / (1 - (1 - P) * D) };
  }
  const R = p.refSteps;
  const nA = p.adaptDecay.length;
  // Thresholds by age as MesoPopulation forms them in the stationary state, where every bin holds
  // the spikes of a fraction r·dt of the population: own kernel θ_own(j), the population's older
  // spikes with the effective kernel, those beyond the K bins linearly (population.ts).
  const K = historyLength(p, dt);
  const { own, effective } = adaptationKernels(p, K);
  const rdt = traceRate * dt;
  let beyond0 = 0;
  let beyond1 = 0;
  for (let q = 0; q < nA; q++) {
    beyond0 += (rdt * p.adaptKick[q] * p.adaptDecay[q] ** K) / (1 - p.adaptDecay[q]);
    beyond1 += (rdt * p.adaptKick[q] * p.adaptDecay[q] ** (K + 1)) / (1 - p.adaptDecay[q]);
  }
  // olderThan0[j] = r·dt·Σ_{i = j+1}^{K−1} effective(i), olderThan1 with effective(i + 1).
  const olderThan0 = new Float64Array(K + 1);
  const olderThan1 = new Float64Array(K + 1);
  for (let j = K - 1; j >= 0; j--) {
    olderThan0[j] = j + 1 < K ? olderThan0[j + 1] + rdt * effective[j + 1] : 0;
    olderThan1[j] = j + 1 < K ? olderThan1[j + 1] + rdt * effective[j + 2] : 0;
  }
  const freeTheta0 = p.uTh + beyond0 + (K > 0 ? olderThan0[0] + rdt * effective[0] : 0);
  const freeTheta1 = p.uTh + beyond1 + (K > 0 ? olderThan1[0] + rdt * effective[1] : 0);
  const fs: number[] = [];
  let surv = 1;
  let sumSurv = 0;
  let v = p.uReset;
  let tail = 0;
  let tailF = 0;
  let tailQ = 0;
  let tailStart = -1;
  const prof: AgeProfile | undefined = bins > 0 ? { S: new Float64Array(bins), V: new Float64Array(bins), freeS: 0, freeV: 0, freeDecay: () => 0 } : undefined;
  const survAll: number[] = [];
  for (let j = 0; ; j++) {
    if (prof) {
      survAll.push(surv);
      const vStart = j < R ? p.uReset : v;
      if (j < bins) {
        prof.S[j] = surv;
        prof.V[j] = vStart;
      } else {
        prof.freeS += surv;
        prof.freeV += surv * vStart;
      }
    }
    const theta0 = j < K ? p.uTh + own[j] + olderThan0[j] + beyond0 : freeTheta0;
    const theta1 = j < K ? p.uTh + own[j + 1] + olderThan1[j] + beyond1 : freeTheta1;
    sumSurv += surv;
    if (j < R) {
      fs.push(0);
      continue;
    }
    const v0 = v + input.deltaKick;
    const { vNext, P } = neuronStep(p, v0, theta0, theta1, drive, input, dt);
    fs.push(surv * P);
    const converged = Math.abs(vNext - v) < 1e-13 * (1 + Math.abs(v)) && j >= K;
    v = vNext;
    surv *= 1 - P;
    if (surv < SURVIVAL_FLOOR) break;
    if (converged && j > R + 10) {
      // Constant hazard from here on: the survival is geometric and its sums close.
      tail = surv / P; // Σ_{k≥1} surv·(1 − P)^{k−1}
      tailF = surv * P;
      tailQ = 1 - P;
      tailStart = j + 1;
      break;
    }
  }
  // The walk summed the survival at the start of each step it took; the tail sums the rest.
  const meanIsi = dt * (sumSurv + tail);
  if (prof) {
    // The geometric tail has the converged potential and no adaptation left.
    prof.freeS += tail;
    prof.freeV += tail * v;
    if (prof.freeS > 0) prof.freeV /= prof.freeS;
    else prof.freeV = v;
    const S = prof.freeS;
    prof.freeDecay = (D: number) => {
      let g = 0;
      let Dj = D ** (bins + 1);
      for (let j = bins; j < survAll.length; j++, Dj *= D) g += survAll[j] * Dj;
      // Tail: S_j = surv·(1 − P)^{j − tailStart} from tailStart = survAll.length on.
      if (tail > 0) g += (surv * Dj) / (1 - tailQ * D);
      return S > 0 ? g / S : D ** (bins + 1);
    };
  }
  const rate = 1 / meanIsi;
  const isiGenerating = (D: number) => {
    let g = 0;
    let Dj = D;
    for (let j = 0; j < fs.length; j++, Dj *= D) g += fs[j] * Dj;
    if (tailStart >= 0 && tailF > 0) g += (tailF * Dj) / (1 - tailQ * D);
    return g;
  };
  return { rate, isiGenerating, ages: prof };
}

/**
 * One step of a neuron out of refractoriness: the exact membrane update with the input held and
 * the probability to fire (docs/step-semantics.md step 3; the meso engine's advanceBin).
 */
export function neuronStep(
  p: CompiledPopulation,
  v0: number,
  theta0: number,
  theta1: number,
  drive: number,
  input: StationaryInput,
  dt: number,
): { vNext: number; P: number } {
  const vNext = membraneNext(p, v0, drive, input.Icur, input.cond, dt);
  if (p.model === NEURON_LIF) return { vNext, P: vNext >= p.uTh ? 1 : 0 };
  const inv = 1 / p.deltaU;
  const P = -Math.expm1(-0.5 * dt * p.c * (Math.exp((v0 - theta0) * inv) + Math.exp((vNext - theta1) * inv)));
  return { vNext, P };
}

/**
 * Stationary mean efficacy per spike W̄ of a projection whose presynaptic neurons fire at rate r
 * (macro: realised = expected activity), from the fixed point of the engine's maps
 * x̄ ← 1 + (x̄ − W̄ r dt − 1)e^{−dt/τD}, ū ← U0 + (ū + U(1 − ū) r dt − U0)e^{−dt/τF}, with
 * W̄ = (U + (1 − U)ū)x̄ + (1 − U)S_ux (S_ux = 0 for MF1; MF2: the stationary moments, which are the
 * fixed point of the RK4 step too). `age`: the resources of a neuron at its spikes averaged over the
 * ISI distribution, x_spk = (1 − G)/(1 − (1 − U)G) with G = Σ f_j e^{−(j+1)dt/τD} (depression and
 * τF = 0; with facilitation `age` falls back to MF2 here).
 */
export function stationaryEfficacy(kind: StpKind, order: StpMeanFieldOrder, r: number, dt: number, isiGenerating?: (D: number) => number): number {
  return stationaryMeans(kind, order, r, dt, isiGenerating).W;
}

/** The stationary means behind stationaryEfficacy: ū, x̄ (population means; for `age`, the resources at spikes x_spk, and x2 = E[x_spk²] for depression) and W̄. */
export function stationaryMeans(
  kind: StpKind,
  order: StpMeanFieldOrder,
  r: number,
  dt: number,
  isiGenerating?: (D: number) => number,
): { u: number; x: number; W: number; y?: number; z?: number; x2?: number } {
  const k = effectiveStp(kind);
  if (k.model === 'none') return { u: 1, x: 1, W: 1 };
  if (k.model === 'three-state') {
    // Fixed point of release (a = U·r·dt of x into y) and the exact relaxation over dt (threeStateRelax):
    // with Y1 the post-release y, y = e_in·Y1, z = c·Y1/(1 − e_rec), Y1 = y + a(1 − y − z).
    const { U, tauIn, tauRec } = k.params;
    const a = U * r * dt;
    const eIn = decayFactor(dt, tauIn);
    const eRec = decayFactor(dt, tauRec);
    const c = expConvolution(dt, tauRec, tauIn) / tauIn;
    const Y1 = a / (1 - eIn + a * eIn + (a * c) / (1 - eRec));
    const y = eIn * Y1;
    const z = (c * Y1) / (1 - eRec);
    const x = 1 - y - z;
    return { u: U, x, W: U * x, y, z };
  }
  const rdt = r * dt;
  const dD = decayFactor(dt, k.params.tauD);
  if (k.model === 'depression') {
    const U = k.params.U;
    if (order === 'age' && isiGenerating) {
      // Renewal spikes: x at the next spike is 1 − e + (1 − U)·e·x with e = D^ISI independent of x,
      // so E[x] and E[x²] at spikes close with a = E[e] = G(D) and b = E[e²] = G(D²).
      const G = isiGenerating(dD);
      const xs = (1 - G) / (1 - (1 - U) * G);
      const G2 = isiGenerating(dD * dD);
      const x2 = (1 - 2 * G + G2 + 2 * (1 - U) * (G - G2) * xs) / (1 - (1 - U) * (1 - U) * G2);
      return { u: U, x: xs, W: U * xs, x2 };
    }
    const x = (1 - dD) / (1 - dD + dD * U * rdt);
    return { u: U, x, W: U * x };
  }
  const { U, U0, tauF } = k.params;
  const dF = decayFactor(dt, tauF);
  const u = (U0 * (1 - dF) + U * rdt * dF) / (1 - dF + U * rdt * dF);
  let sux = 0;
  if (order !== 'mf1') {
    const m = tmStationaryMf2Moments(k.params, r);
    sux = m[MF2.UX] - m[MF2.U] * m[MF2.X];
  }
  const A = U + (1 - U) * u;
  const B = (1 - U) * sux;
  const x = (1 - dD - B * rdt * dD) / (1 - dD + A * rdt * dD);
  return { u, x, W: A * x + B };
}

/** W̄ from explicit means (for tests): the same formula the engine evaluates. */
export function efficacyAt(kind: StpKind, u: number, x: number, sux: number): number {
  const k = effectiveStp(kind);
  if (k.model === 'none') return 1;
  if (k.model === 'depression' || k.model === 'three-state') return k.params.U * x;
  const m = [u, x, u * u, x * x, u * x + sux];
  return tmMf2Efficacy(k.params, m);
}

/**
 * Stage values of a cascade filter just after the kick of a step, in the stationary state under a
 * constant kick per step into stage 0: s = P·s + kick·e₀ with P lower-triangular (forward substitution).
 */
export function cascadeStationary(prop: CascadePropagator, kick: number): Float64Array {
  const n = prop.n;
  const s = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let v = k === 0 ? kick : 0;
    for (let j = 0; j < k; j++) v += prop.P[k * n + j] * s[j];
    s[k] = v / (1 - prop.P[k * n + k]);
  }
  return s;
}
