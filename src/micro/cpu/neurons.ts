/**
 * Step 3 of docs/step-semantics.md: one step of every neuron of a population, over all trials
 * of the block. Spikes are appended to the population's spike list as flat indices trial·N + i.
 *
 * Random numbers: Philox4x32-10, key (seed, population index), counter
 * (⌊i/4⌋, n, trial, purposeWord(spike)), word i mod 4, uniformFromBits — one block per four
 * neurons, so the GPU engine can draw the identical numbers; a trial's blocks come in one call
 * from WebAssembly (rng/philoxWasm.ts). Sparse Poisson populations draw
 * by the event scheme of src/rng/poissonEvents.ts instead (O(1 + spikes) per step and trial).
 */
import { uniformFromBits } from '../../rng/philox';
import type { PhiloxBlockSource } from '../../rng/philoxWasm';
import { drawPoissonEvents, poissonStepProbability } from '../../rng/poissonEvents';
import { NEURON_GLIF, NEURON_LIF, NEURON_POISSON, type CompiledPopulation } from '../../compile';
import type { PopulationState } from './state';
import { escapeSpike } from './hazardBound';

export interface StepContext {
  /** Step index n and its start t_n = n·dt. */
  n: number;
  t: number;
  dt: number;
  seed: number;
  spikeWord: number;
  /** Global index of the block's first trial (the Philox trial counter). */
  trialFrom: number;
  T: number;
  /** Four Philox output words (reused). */
  readonly words: Uint32Array;
  /** This thread's Philox blocks in bulk (one call per trial and population step). */
  readonly blocks: PhiloxBlockSource;
}

/** drive: r(t_n) (Hz) for Poisson sources, μ(t_n) (mV) for LIF/GLIF. */
export function stepPopulation(p: CompiledPopulation, st: PopulationState, ctx: StepContext, drive: number): void {
  st.spikeCount = 0;
  if (p.model === NEURON_POISSON) poissonStep(p, st, ctx, drive);
  else membraneStep(p, st, ctx, drive);
}

function poissonStep(p: CompiledPopulation, st: PopulationState, ctx: StepContext, rate: number): void {
  const prob = poissonStepProbability(rate, ctx.dt);
  if (!(prob > 0)) return; // u > 0 always, so no draw could spike
  const N = p.N;
  const words = ctx.words;
  const spikes = st.spikes;
  let count = 0;
  if (st.events) {
    const table = st.events.tables.forProbability(prob);
    const chosen = st.events.chosen;
    for (let b = 0; b < ctx.T; b++) {
      const K = drawPoissonEvents(table, N, ctx.seed, p.index, ctx.n, ctx.trialFrom + b, words, chosen);
      for (let m = 0; m < K; m++) spikes[count++] = b * N + chosen[m];
    }
    st.spikeCount = count;
    return;
  }
  for (let b = 0; b < ctx.T; b++) {
    const base = b * N;
    const draws = ctx.blocks.fill(0, Math.ceil(N / 4), ctx.n, ctx.trialFrom + b, ctx.spikeWord, ctx.seed, p.index);
    for (let i = 0; i < N; i++) if (uniformFromBits(draws[i]) < prob) spikes[count++] = base + i;
  }
  st.spikeCount = count;
}

/**
 * LIF and GLIF. Not refractory: the exact solution over the step with the input held,
 * V_{n+1} = V∞ + (V_n − V∞)e^{−dt(1+G)/τm}, V∞ = (μ + I_cur + Σ gBE)/(1 + G) (G = Σ gB, the
 * conductances of step n; G = 0 is the current-based case). GLIF: hazard at both ends with the
 * threshold u_th + Σ a_k, P = 1 − exp(−dt(λ_start + λ_end)/2), tested against the draw only where
 * a cheap bound of P exceeds it (hazardBound.ts). LIF: spike when V_{n+1} ≥ u_th.
 * Refractory: V stays u_r and nothing else happens. Adaptation decays every step.
 */
function membraneStep(p: CompiledPopulation, st: PopulationState, ctx: StepContext, mu: number): void {
  const N = p.N;
  const T = ctx.T;
  const dt = ctx.dt;
  const glif = p.model === NEURON_GLIF;
  const lif = p.model === NEURON_LIF;
  const { V, ref, adapt, Icur, G, GE, deltaIn, inputNow, spikes } = st;
  const hasInput = Icur.length > 0;
  const cond = G.length > 0;
  const hasDelta = deltaIn.length > 0;
  const recordInput = inputNow.length > 0;
  const deltaToInput = p.tauM / dt;
  const K = p.adaptDecay.length;
  const adaptDecay = p.adaptDecay;
  const adaptKick = p.adaptKick;
  const decayM = p.decayM;
  const tauM = p.tauM;
  const uTh = p.uTh;
  const uReset = p.uReset;
  const c = p.c;
  const invDeltaU = 1 / p.deltaU;
  const halfDt = 0.5 * dt;
  const halfDtC = halfDt * c;
  const refSteps = p.refSteps;
  let count = 0;
  for (let b = 0; b < T; b++) {
    // Word i of the trial's blocks (block ⌊i/4⌋, word i mod 4) is neuron i's draw.
    const draws = glif ? ctx.blocks.fill(0, Math.ceil(N / 4), ctx.n, ctx.trialFrom + b, ctx.spikeWord, ctx.seed, p.index) : null;
    for (let i = 0; i < N; i++) {
      const k = b * N + i;
      const v = V[k];
      const ic = hasInput ? Icur[k] : 0;
      const g = cond ? G[k] : 0;
      const ge = cond ? GE[k] : 0;
      if (recordInput) inputNow[k] = ic + ge - g * v + (hasDelta ? deltaToInput * deltaIn[k] : 0);
      let theta0 = uTh;
      let theta1 = uTh;
      for (let q = 0; q < K; q++) {
        const a = adapt[k * K + q];
        theta0 += a;
        const a1 = a * adaptDecay[q];
        adapt[k * K + q] = a1;
        theta1 += a1;
      }
      if (ref[k] > 0) {
        ref[k]--;
        continue;
      }
      let vNext: number;
      if (cond && g !== 0) {
        const lam = 1 + g;
        const vInf = (mu + ic + ge) / lam;
        vNext = vInf + (v - vInf) * Math.exp(-(dt * lam) / tauM);
      } else {
        const vInf = mu + ic;
        vNext = vInf + (v - vInf) * decayM;
      }
      let spike: boolean;
      if (lif) spike = vNext >= uTh;
      else spike = escapeSpike(uniformFromBits(draws![i]), halfDt, c, halfDtC, (v - theta0) * invDeltaU, (vNext - theta1) * invDeltaU);
      if (spike) {
        V[k] = uReset;
        ref[k] = refSteps;
        for (let q = 0; q < K; q++) adapt[k * K + q] += adaptKick[q];
        spikes[count++] = k;
      } else V[k] = vNext;
    }
  }
  st.spikeCount = count;
  if (hasInput) Icur.fill(0);
  if (cond) {
    G.fill(0);
    GE.fill(0);
  }
  if (hasDelta) deltaIn.fill(0);
}
