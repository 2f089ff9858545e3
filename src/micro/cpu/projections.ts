/**
 * The synaptic side of a step (docs/step-semantics.md): delivery from the delay rings, the
 * input each projection gives its postsynaptic neurons, exact filter advance, and the
 * propagation of this step's spikes through STP into the rings. STP and filter math come from
 * src/synapse; this file only moves numbers between arrays.
 */
import { cascadeAdvance } from '../../synapse/cascade';
import { blockedPulseJump, pulseJump } from '../../synapse/conductancePulse';
import { dualExpAdvance, exponentialAdvance, nmdaBlock } from '../../synapse/filters';
import { kineticAdvance, kineticDecayStep, kineticOnSpike, type KineticReceptorParams } from '../../synapse/kineticReceptor';
import {
  FILTER_CASCADE,
  FILTER_DELTA,
  FILTER_DUAL,
  FILTER_EXP,
  FILTER_KINETIC,
  FILTER_SYN_KINETIC,
  FILTER_SYN_Y,
  type CompiledPopulation,
  type CompiledProjection,
} from '../../compile';
import type { PopulationState, ProjectionState } from './state';

/** A mutable parameter object reused for per-pulse kinetic amplitudes (no allocation per event). */
export interface Scratch {
  readonly kinetic: { alpha: number; beta: number; Tmax: number; pulseDuration: number; Erev: number; mgMillimolar?: number };
}

export function createScratch(): Scratch {
  return {
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
 * delta current synapses move V unless the neuron is refractory (then the event is lost), or,
 * where conductance pulses arrive as well, are collected for applyPulses; kinetic gates start a
 * transmitter pulse of amplitude Tmax·w at t_n. Per-synapse filters have nothing to deliver:
 * their ring holds outputs, read by collectInput.
 */
export function deliver(
  pr: CompiledProjection,
  ps: ProjectionState,
  postPlan: CompiledPopulation,
  post: PopulationState,
  T: number,
  n: number,
  t: number,
  sc: Scratch,
): void {
  const slot = n % (pr.delaySteps + 1);
  const ring = ps.ring;
  const f = pr.filter;
  if (f === FILTER_SYN_Y || f === FILTER_SYN_KINETIC) return;
  if (f === FILTER_KINETIC) {
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
  if (f === FILTER_DELTA) {
    const acc = post.deltaIn;
    if (pr.conductance) {
      // Pulses act together with every other pulse of this step (applyPulses); blocked ones keep their own sums.
      const blocked = pr.mg > 0;
      const target = blocked ? ps.g : post.pulseW;
      const WE = post.pulseWE;
      const E = pr.E;
      for (let k = 0; k < len; k++) {
        const r = ring[base + k];
        if (r === 0) continue;
        ring[base + k] = 0;
        target[k] += r;
        if (!blocked) WE[k] += r * E;
      }
      return;
    }
    const V = post.V;
    const ref = post.ref;
    const deferred = postPlan.pulseInput;
    for (let k = 0; k < len; k++) {
      const r = ring[base + k];
      if (r === 0) continue;
      ring[base + k] = 0;
      acc[k] += r;
      if (!deferred && ref[k] === 0) V[k] += r;
    }
    return;
  }
  const target = f === FILTER_EXP ? ps.g : f === FILTER_DUAL ? ps.h : ps.y;
  for (let k = 0; k < len; k++) {
    const r = ring[base + k];
    if (r === 0) continue;
    target[k] += r;
    ring[base + k] = 0;
  }
}

/**
 * After every delivery of step n, in a population that receives conductance pulses: each
 * neuron's current kicks c and pulses (Σ J·w, Σ J·w·E, and the blocked ones) act together,
 * V⁺ = V⁻e^{−W} + (c + WE)(1 − e^{−W})/W, or the RK4 jump with an NMDA block
 * (src/synapse/conductancePulse.ts). The recorded delta input becomes the jump V⁺ − V⁻; a
 * refractory neuron records the jump it would have made from u_r but keeps V = u_r.
 */
export function applyPulses(p: CompiledPopulation, st: PopulationState, projections: ProjectionState[], T: number): void {
  const len = T * p.N;
  const { V, ref, deltaIn, pulseW, pulseWE, blockedW } = st;
  const blocked = p.blockedPulses;
  const nb = blocked.length;
  const E = p.blockedPulseE;
  const mg = p.blockedPulseMg;
  const rest = p.restPotential;
  for (let k = 0; k < len; k++) {
    const W = pulseW[k];
    let anyBlocked = false;
    for (let q = 0; q < nb; q++) {
      const w = projections[blocked[q]].g[k];
      blockedW[q] = w;
      if (w !== 0) anyBlocked = true;
    }
    const c = deltaIn[k];
    if (W === 0 && !anyBlocked) {
      // Current kicks alone: exactly the path of a population without pulses.
      if (c !== 0 && ref[k] === 0) V[k] += c;
      continue;
    }
    const v0 = V[k];
    const v1 = anyBlocked ? blockedPulseJump(v0, c, W, pulseWE[k], blockedW, E, mg, nb, rest) : pulseJump(v0, c, W, pulseWE[k]);
    deltaIn[k] = v1 - v0;
    if (ref[k] === 0) V[k] = v1;
    pulseW[k] = 0;
    pulseWE[k] = 0;
    for (let q = 0; q < nb; q++) projections[blocked[q]].g[k] = 0;
  }
}

/**
 * Step 2: adds this projection's input at t_n (filter state after the kicks) into the
 * postsynaptic accumulators, then advances its filter state exactly to t_{n+1}. Kinetic gates
 * are advanced first and contribute their exact step mean ∫s dt/dt. Per-synapse filters
 * contribute the output they stored delay steps ago.
 */
export function collectInput(
  pr: CompiledProjection,
  ps: ProjectionState,
  postPlan: CompiledPopulation,
  post: PopulationState,
  T: number,
  n: number,
  t: number,
  dt: number,
  sc: Scratch,
): void {
  const len = T * pr.nPost;
  const f = pr.filter;
  if (f === FILTER_DELTA) return;
  const perSynapse = f === FILTER_SYN_Y || f === FILTER_SYN_KINETIC;
  const g = perSynapse ? ps.slots[n % (pr.delaySteps + 1)] : ps.g;
  if (f === FILTER_KINETIC) kineticStepMean(pr, ps, T, t, dt, sc);
  const scale = pr.outScale;
  const coupling = pr.inputCoupling;
  if (coupling) {
    // run.integration 'exact': the held input that makes the membrane step exact (compile/filter.ts).
    const I = post.Icur;
    const stages = ps.filterStages;
    for (let j = 0; j < stages.length; j++) {
      const c = coupling[j];
      const s = stages[j];
      for (let k = 0; k < len; k++) I[k] += c * s[k];
    }
  } else if (!pr.conductance) {
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
  if (f === FILTER_EXP) {
    const prop = pr.expProp!;
    for (let k = 0; k < len; k++) exponentialAdvance(prop, g, k);
  } else if (f === FILTER_DUAL) {
    const prop = pr.dualProp!;
    const h = ps.h;
    for (let k = 0; k < len; k++) dualExpAdvance(prop, g, h, k);
  } else if (f === FILTER_CASCADE) {
    const prop = pr.cascadeProp!;
    const stages = ps.stages;
    for (let k = 0; k < len; k++) cascadeAdvance(prop, stages, k);
  }
}

/**
 * After the spikes of step m (propagate): the output of each per-synapse filter at t_m goes into
 * ring slot (m + d) mod (d + 1), to be read at step m + d, and the state advances to t_{m+1}. The
 * state is driven by presynaptic spikes only, so running it d steps early and reading its output
 * d steps late is exactly the delayed filter.
 */
export function advanceSynapseFilters(pr: CompiledProjection, ps: ProjectionState, T: number, n: number, t: number, dt: number, sc: Scratch): void {
  const out = ps.slots[(n + pr.delaySteps) % (pr.delaySteps + 1)];
  const nSyn = pr.nSyn;
  const nPost = pr.nPost;
  const targets = pr.csr.targets;
  if (pr.filter === FILTER_SYN_KINETIC) {
    out.fill(0);
    const gates = ps.gates!;
    const p = pr.kinetic!;
    const decay = pr.kineticDecay!;
    const Jsyn = pr.synWeight;
    const tEnd = t + dt;
    for (let b = 0; b < T; b++) {
      const base = b * nPost;
      for (let s = 0; s < nSyn; s++) {
        const k = b * nSyn + s;
        const free = gates.pulseEnd[k] <= gates.tLast[k];
        if (free && gates.s[k] === 0) continue;
        const m = (free ? kineticDecayStep(decay, gates, k, tEnd) : kineticAdvance(setKinetic(sc, p, ps.gateAmp[k]), gates, k, tEnd)) / dt;
        out[base + targets[s]] += (Jsyn === null ? pr.weight : Jsyn[s]) * m;
      }
    }
    return;
  }
  const S = pr.postStages;
  const stride = S + 1;
  const coup = pr.synCoupling!;
  const y = ps.synY;
  if (S === 0) {
    out.fill(0);
    for (let b = 0; b < T; b++) {
      const base = b * nPost;
      for (let s = 0; s < nSyn; s++) {
        const k = b * nSyn + s;
        const v = y[k];
        if (v === 0) continue;
        out[base + targets[s]] += v;
        y[k] = v * coup[s];
      }
    }
    return;
  }
  const stages = ps.stages;
  const g = stages[S - 1];
  out.set(g);
  const prop = pr.cascadeProp!;
  const len = T * nPost;
  for (let k = 0; k < len; k++) cascadeAdvance(prop, stages, k);
  for (let b = 0; b < T; b++) {
    const base = b * nPost;
    for (let s = 0; s < nSyn; s++) {
      const k = b * nSyn + s;
      const v = y[k];
      if (v === 0) continue;
      const i = base + targets[s];
      for (let q = 1; q <= S; q++) stages[q - 1][i] += v * coup[s * stride + q];
      y[k] = v * coup[s * stride];
    }
  }
}

/** Advances every gate over [t_n, t_n + dt] and sums J·s̄_j over the synapses into g (recomputed each step). */
function kineticStepMean(pr: CompiledProjection, ps: ProjectionState, T: number, t: number, dt: number, sc: Scratch): void {
  const gates = ps.gates!;
  const p = pr.kinetic!;
  const decay = pr.kineticDecay!;
  const mean = ps.gateMean;
  const g = ps.g;
  g.fill(0);
  const tEnd = t + dt;
  let { rowStart, targets } = pr.csr;
  const J = pr.weight;
  const Jsyn = pr.synWeight;
  const nPre = pr.nPre;
  const nPost = pr.nPost;
  for (let b = 0; b < T; b++) {
    if (pr.perTrial) ({ rowStart, targets } = ps.csrs[b]);
    for (let j = 0; j < nPre; j++) {
      const k = b * nPre + j;
      // A gate that never opened (or decayed to exactly 0) with no pulse pending contributes nothing.
      const free = gates.pulseEnd[k] <= gates.tLast[k];
      if (free && gates.s[k] === 0) {
        mean[k] = 0;
        continue;
      }
      const m = (free ? kineticDecayStep(decay, gates, k, tEnd) : kineticAdvance(setKinetic(sc, p, ps.gateAmp[k]), gates, k, tEnd)) / dt;
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
export function propagate(pr: CompiledProjection, ps: ProjectionState, pre: PopulationState, T: number, n: number, t: number, sc: Scratch): void {
  const nPre = pr.nPre;
  const nPost = pr.nPost;
  const count = pre.spikeCount;
  const spikes = pre.spikes;
  const ring = ps.ring;
  const slots = pr.delaySteps + 1;
  const slot = (n + pr.delaySteps) % slots;
  if (pr.filter === FILTER_SYN_Y || pr.filter === FILTER_SYN_KINETIC) {
    propagateToSynapses(pr, ps, pre, t, sc);
    return;
  }
  if (pr.filter === FILTER_KINETIC) {
    const base = slot * T * nPre;
    for (let q = 0; q < count; q++) {
      const k = spikes[q];
      ring[base + k] = ps.stp === null ? 1 : ps.stp.onSpike(k, t);
    }
    return;
  }
  const slotBase = slot * T * nPost;
  let { rowStart, targets } = pr.csr;
  const Jsyn = pr.synWeight;
  const kick = pr.kickScale;
  const perSynapse = pr.stpPlacement === 'per-synapse';
  for (let q = 0; q < count; q++) {
    const k = spikes[q];
    const b = (k / nPre) | 0;
    const j = k - b * nPre;
    const base = slotBase + b * nPost;
    if (pr.perTrial) ({ rowStart, targets } = ps.csrs[b]);
    const start = rowStart[j];
    const end = rowStart[j + 1];
    if (perSynapse) {
      const sBase = b * pr.nSyn;
      for (let s = start; s < end; s++) {
        const w = ps.stp === null ? 1 : ps.stp.onSynapseSpike(s, sBase + s, t);
        ring[base + targets[s]] += (Jsyn === null ? pr.weight : Jsyn[s]) * w * kick;
      }
    } else {
      const w = ps.stp === null ? 1 : ps.stp.onSpike(k, t);
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

/**
 * Spikes into per-synapse filters, in presynaptic time (advanceSynapseFilters delays the output):
 * each synapse's y is kicked by J·(released amount)·(its kick scale), or its gate starts a pulse
 * of amplitude Tmax·w at t_m.
 */
function propagateToSynapses(pr: CompiledProjection, ps: ProjectionState, pre: PopulationState, t: number, sc: Scratch): void {
  const nPre = pr.nPre;
  const nSyn = pr.nSyn;
  const { rowStart } = pr.csr;
  const Jsyn = pr.synWeight;
  const kinetic = pr.filter === FILTER_SYN_KINETIC;
  const p = pr.kinetic;
  const y = ps.synY;
  const kick = pr.synKick;
  for (let q = 0; q < pre.spikeCount; q++) {
    const k = pre.spikes[q];
    const b = (k / nPre) | 0;
    const j = k - b * nPre;
    const sBase = b * nSyn;
    for (let s = rowStart[j]; s < rowStart[j + 1]; s++) {
      const w = ps.stp === null ? 1 : ps.stp.onSynapseSpike(s, sBase + s, t);
      if (kinetic) {
        const gates = ps.gates!;
        kineticAdvance(setKinetic(sc, p!, ps.gateAmp[sBase + s]), gates, sBase + s, t);
        ps.gateAmp[sBase + s] = p!.Tmax * w;
        kineticOnSpike(setKinetic(sc, p!, ps.gateAmp[sBase + s]), gates, sBase + s, t);
      } else {
        y[sBase + s] += (Jsyn === null ? pr.weight : Jsyn[s]) * w * kick![s];
      }
    }
  }
}
