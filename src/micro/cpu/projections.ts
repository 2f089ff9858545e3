/**
 * The synaptic side of a step (docs/step-semantics.md): delivery from the delay rings, the
 * input each projection gives its postsynaptic neurons, exact filter advance, and the
 * propagation of this step's spikes through STP into the rings. STP and filter math come from
 * src/synapse; this file only moves numbers between arrays.
 */
import { dualExpAdvance, exponentialAdvance, nmdaBlock } from '../../synapse/filters';
import { kineticAdvance, kineticOnSpike, type KineticReceptorParams } from '../../synapse/kineticReceptor';
import { depressionOnSpike, type DepressionParams } from '../../synapse/stpDepression';
import { threeStateOnSpike, type ThreeStateParams } from '../../synapse/stpThreeState';
import { tmOnSpike, type TmParams } from '../../synapse/stpTsodyksMarkram';
import { FILTER_DELTA, FILTER_DUAL, FILTER_EXP, FILTER_KINETIC, STP_DEPRESSION, STP_NONE, STP_THREE_STATE, STP_TM, type PopulationPlan, type ProjectionPlan } from './network';
import type { PopulationState, ProjectionState } from './state';

/** Mutable parameter objects reused for per-synapse STP and per-pulse kinetic amplitudes (no allocation per event). */
export interface Scratch {
  readonly tm: { U: number; U0: number; tauD: number; tauF: number };
  readonly dep: { U: number; tauD: number };
  readonly three: { U: number; tauIn: number; tauRec: number };
  readonly kinetic: { alpha: number; beta: number; Tmax: number; pulseDuration: number; Erev: number; mgMillimolar?: number };
}

export function createScratch(): Scratch {
  return {
    tm: { U: 0, U0: 0, tauD: 0, tauF: 0 },
    dep: { U: 0, tauD: 0 },
    three: { U: 0, tauIn: 0, tauRec: 0 },
    kinetic: { alpha: 0, beta: 0, Tmax: 0, pulseDuration: 0, Erev: 0 },
  };
}

function setKinetic(sc: Scratch, p: KineticReceptorParams, amp: number): KineticReceptorParams {
  const k = sc.kinetic;
  k.alpha = p.alpha;
  k.beta = p.beta;
  k.pulseDuration = p.pulseDuration;
  k.Erev = p.Erev;
  k.mgMillimolar = p.mgMillimolar;
  k.Tmax = amp;
  return k;
}

/**
 * Step 1: the events due at step n. Linear filters get their kick (already J·w·kickScale);
 * delta synapses move V unless the neuron is refractory (then the event is lost); kinetic gates
 * start a transmitter pulse of amplitude Tmax·w at t_n.
 */
export function deliver(pr: ProjectionPlan, ps: ProjectionState, post: PopulationState, T: number, n: number, t: number, sc: Scratch): void {
  const slot = n % (pr.delaySteps + 1);
  const ring = ps.ring;
  if (pr.filter === FILTER_KINETIC) {
    const len = T * pr.nPre;
    const base = slot * len;
    const gates = ps.gates!;
    const p = pr.kinetic!;
    for (let k = 0; k < len; k++) {
      const w = ring[base + k];
      if (w !== w) continue;
      ring[base + k] = NaN;
      // The pulse in progress keeps its own amplitude up to t_n; the new spike's amplitude holds from t_n on.
      kineticAdvance(setKinetic(sc, p, ps.gateAmp[k]), gates, k, t);
      ps.gateAmp[k] = p.Tmax * w;
      kineticOnSpike(setKinetic(sc, p, ps.gateAmp[k]), gates, k, t);
    }
    return;
  }
  const len = T * pr.nPost;
  const base = slot * len;
  if (pr.filter === FILTER_DELTA) {
    const V = post.V;
    const ref = post.ref;
    const acc = post.deltaIn;
    for (let k = 0; k < len; k++) {
      const r = ring[base + k];
      if (r === 0) continue;
      ring[base + k] = 0;
      acc[k] += r;
      if (ref[k] === 0) V[k] += r;
    }
    return;
  }
  const target = pr.filter === FILTER_EXP ? ps.g : ps.h;
  for (let k = 0; k < len; k++) {
    const r = ring[base + k];
    if (r === 0) continue;
    target[k] += r;
    ring[base + k] = 0;
  }
}

/**
 * Step 2: adds this projection's input at t_n (filter state after the kicks) into the
 * postsynaptic accumulators, then advances its filter state exactly to t_{n+1}. Kinetic gates
 * are advanced first and contribute their exact step mean ∫s dt/dt.
 */
export function collectInput(pr: ProjectionPlan, ps: ProjectionState, postPlan: PopulationPlan, post: PopulationState, T: number, t: number, dt: number, sc: Scratch): void {
  const len = T * pr.nPost;
  const g = ps.g;
  if (pr.filter === FILTER_DELTA) return;
  if (pr.filter === FILTER_KINETIC) kineticStepMean(pr, ps, T, t, dt, sc);
  const scale = pr.outScale;
  if (!pr.conductance) {
    const I = post.Icur;
    for (let k = 0; k < len; k++) I[k] += scale * g[k];
  } else {
    const G = post.G;
    const GE = post.GE;
    const E = pr.E;
    const mg = pr.mg;
    const V = post.V;
    const rest = postPlan.restPotential;
    for (let k = 0; k < len; k++) {
      const gk = scale * g[k];
      if (gk === 0) continue;
      const gb = mg > 0 ? gk * nmdaBlock(V[k] + rest, mg) : gk;
      G[k] += gb;
      GE[k] += gb * E;
    }
  }
  if (pr.filter === FILTER_EXP) {
    const prop = pr.expProp!;
    for (let k = 0; k < len; k++) exponentialAdvance(prop, g, k);
  } else if (pr.filter === FILTER_DUAL) {
    const prop = pr.dualProp!;
    const h = ps.h;
    for (let k = 0; k < len; k++) dualExpAdvance(prop, g, h, k);
  }
}

/** Advances every gate over [t_n, t_n + dt] and sums J·s̄_j over the synapses into g (recomputed each step). */
function kineticStepMean(pr: ProjectionPlan, ps: ProjectionState, T: number, t: number, dt: number, sc: Scratch): void {
  const gates = ps.gates!;
  const p = pr.kinetic!;
  const mean = ps.gateMean;
  const g = ps.g;
  g.fill(0);
  const tEnd = t + dt;
  const { rowStart, targets } = pr.csr;
  const J = pr.weight;
  const Jsyn = pr.synWeight;
  const nPre = pr.nPre;
  const nPost = pr.nPost;
  for (let b = 0; b < T; b++) {
    for (let j = 0; j < nPre; j++) {
      const k = b * nPre + j;
      // A gate that never opened (or decayed to exactly 0) with no pulse pending contributes nothing.
      if (gates.s[k] === 0 && gates.pulseEnd[k] <= gates.tLast[k]) {
        mean[k] = 0;
        continue;
      }
      const m = kineticAdvance(setKinetic(sc, p, ps.gateAmp[k]), gates, k, tEnd) / dt;
      mean[k] = m;
      if (m === 0) continue;
      const base = b * nPost;
      const end = rowStart[j + 1];
      if (Jsyn === null) {
        const a = J * m;
        for (let s = rowStart[j]; s < end; s++) g[base + targets[s]] += a;
      } else {
        for (let s = rowStart[j]; s < end; s++) g[base + targets[s]] += Jsyn[s] * m;
      }
    }
  }
}

/**
 * Step 4: this step's spikes of the presynaptic population (flat indices trial·nPre + j) go
 * through STP at t_n and into ring slot (n + d) mod (d + 1) of each target.
 */
export function propagate(pr: ProjectionPlan, ps: ProjectionState, pre: PopulationState, T: number, n: number, t: number, sc: Scratch): void {
  const nPre = pr.nPre;
  const nPost = pr.nPost;
  const count = pre.spikeCount;
  const spikes = pre.spikes;
  const ring = ps.ring;
  const slots = pr.delaySteps + 1;
  const slot = (n + pr.delaySteps) % slots;
  if (pr.filter === FILTER_KINETIC) {
    const base = slot * T * nPre;
    for (let q = 0; q < count; q++) {
      const k = spikes[q];
      ring[base + k] = perPreEfficacy(pr, ps, k, t);
    }
    return;
  }
  const slotBase = slot * T * nPost;
  const { rowStart, targets } = pr.csr;
  const Jsyn = pr.synWeight;
  const kick = pr.kickScale;
  const perSynapse = pr.stpPlacement === 'per-synapse';
  for (let q = 0; q < count; q++) {
    const k = spikes[q];
    const b = (k / nPre) | 0;
    const j = k - b * nPre;
    const base = slotBase + b * nPost;
    const start = rowStart[j];
    const end = rowStart[j + 1];
    if (perSynapse) {
      const sBase = b * pr.nSyn;
      for (let s = start; s < end; s++) {
        const w = synapseEfficacy(pr, ps, s, sBase + s, t, sc);
        ring[base + targets[s]] += (Jsyn === null ? pr.weight : Jsyn[s]) * w * kick;
      }
    } else {
      const w = perPreEfficacy(pr, ps, k, t);
      if (Jsyn === null) {
        const a = pr.weight * w * kick;
        for (let s = start; s < end; s++) ring[base + targets[s]] += a;
      } else {
        const a = w * kick;
        for (let s = start; s < end; s++) ring[base + targets[s]] += Jsyn[s] * a;
      }
    }
  }
}

function perPreEfficacy(pr: ProjectionPlan, ps: ProjectionState, k: number, t: number): number {
  switch (pr.stpModel) {
    case STP_NONE:
      return 1;
    case STP_TM:
      return tmOnSpike(pr.stpParams as TmParams, ps.tm!, k, t);
    case STP_DEPRESSION:
      return depressionOnSpike(pr.stpParams as DepressionParams, ps.dep!, k, t);
    default:
      return threeStateOnSpike(pr.stpParams as ThreeStateParams, ps.three!, k, t);
  }
}

/** Efficacy of synapse s (state index k) with its own parameters. */
function synapseEfficacy(pr: ProjectionPlan, ps: ProjectionState, s: number, k: number, t: number, sc: Scratch): number {
  const h = pr.synStp;
  switch (pr.stpModel) {
    case STP_TM: {
      const p = sc.tm;
      p.U = h.U![s];
      p.U0 = h.U0![s];
      p.tauD = h.tauD![s];
      p.tauF = h.tauF![s];
      return tmOnSpike(p, ps.tm!, k, t);
    }
    case STP_DEPRESSION: {
      const p = sc.dep;
      p.U = h.U![s];
      p.tauD = h.tauD![s];
      return depressionOnSpike(p, ps.dep!, k, t);
    }
    case STP_THREE_STATE: {
      const p = sc.three;
      p.U = h.U![s];
      p.tauIn = h.tauIn![s];
      p.tauRec = h.tauRec![s];
      return threeStateOnSpike(p, ps.three!, k, t);
    }
    default:
      return 1;
  }
}

