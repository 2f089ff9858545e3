/**
 * The fused kernel (fused.wgsl): the network's phases (networkPhases.ts) as entry points
 * that each cover every trial of the batch: `populations` (every population's blocks: input,
 * neurons, spikes, and at each spike the STP update of its outgoing projections), `propagation`
 * (the step's spikes into the rings, kinetic gates and per-synapse y by presynaptic neuron, the
 * input means, the reset of the next step's spike counts)
 * and `binEnd` or `binEndThread` (the STP means, only at a bin's end, over a workgroup or in one
 * invocation per trial). Its spike lists live in the arenas, so a trial may have any number of
 * neurons.
 *
 * A trial's work is spread over `lanes` invocations (ArenaParams.lanes, set by the host from the
 * batch size): population p takes min(blocks of p, lanes) of them, propagation `lanes`, each
 * striding over its share; one compiled kernel serves any batch size and lane count.
 */
import { STP_NONE } from '../../../compile';
import { wgslStruct, type WgslPart } from '../../../gpu/wgsl';
import { NEURON_POISSON } from '../../../compile';
import type { GpuPlan, GpuProjection } from '../plan';
import fusedCode from './fused.wgsl?raw';
import {
  arenaKernelParts,
  at,
  csrStart,
  markSpike,
  presynapticItems,
  presynapticPhase,
  populationPhase,
  ringSlotBase,
  rowEvents,
  rowSegments,
  segmentEvents,
  spikeEfficacy,
  stpPhases,
  u,
  type ArenaBatch,
  type Lin,
} from './networkPhases';

/** The step within the chunk (binding 6, at a dynamic offset of k·stride). */
export const FusedStep = wgslStruct('FusedStep', { k: 'u32' });

/** The most lanes a trial gets (fused.ts fusedLanes): lane 0 sums one input share per lane. */
export const FUSED_MAX_LANES = 1024;

/** Synapses of a CSR row one propagation item walks: long rows are split over lanes (procedural rows by segment). */
export const FUSED_ROW_CHUNK = 32;

/** Where the fused schedule keeps what the resident kernel keeps in workgroup memory (elements). */
export interface FusedOffsets {
  /** Per population: the step's spiking neurons of each trial (N per trial). */
  spikeList: Lin[];
  /** Per projection with STP: the efficacy of each listed spike (nPre per trial). */
  efficacy: Lin[];
  /** Per population whose input mean is recorded: each lane's share of the input sum (partialLanes per trial). */
  inputPartial: Lin[];
  /** The spike counts: per trial, 2 per population (two banks by step parity). */
  spikeCounts: Lin;
}

export interface FusedBatch extends ArenaBatch {
  fused: FusedOffsets;
}

/** Blocks of four neurons of population p, the units its phase spreads over lanes (an event-scheme Poisson population is one). */
export function populationBlocks(plan: GpuPlan, p: number): number {
  const pop = plan.populations[p].plan;
  return pop.model === NEURON_POISSON && pop.poissonEvents ? 1 : Math.ceil(pop.N / 4);
}

/** Lanes population p can take in a trial, and the input-sum shares it keeps per trial: min(blocks, FUSED_MAX_LANES). */
export function partialLanes(plan: GpuPlan, p: number): number {
  return Math.min(populationBlocks(plan, p), FUSED_MAX_LANES);
}

/**
 * Items of projection q per spike: its longest CSR row in chunks of FUSED_ROW_CHUNK (of a network
 * drawn per trial, the longest its layout holds), or a procedural row's segments (each drawn
 * independently, so one item each).
 */
export function spikeItems(g: ArenaBatch, q: number): number {
  const gq = g.plan.projections[q];
  if (gq.procedural) return rowSegments(gq);
  const longest = gq.perTrialCsr ? gq.perTrialCsr.longestRow : longestSharedRow(gq);
  return Math.max(1, Math.ceil(longest / FUSED_ROW_CHUNK));
}

function longestSharedRow(gq: GpuProjection): number {
  let longest = 0;
  for (let j = 0; j < gq.plan.nPre; j++) longest = Math.max(longest, gq.csr[j + 1] - gq.csr[j]);
  return longest;
}

function emitPhase(g: FusedBatch, p: number): string {
  const { plan } = g;
  const gp = plan.populations[p];
  const o = g.offsets.populations[p];
  const efficacies = plan.projections
    .map((gq, q) => ({ gq, q }))
    // Presynaptic items update their rows' STP state themselves (presynapticPhase).
    .filter(({ gq }) => gq.plan.pre === p && gq.plan.stpModel !== STP_NONE && !gq.perSynapse && !presynapticItems(gq))
    .map(({ gq, q }) => `\n  F[${at(g.fused.efficacy[q])} + b * ${u(gq.plan.nPre)} + slot] = efficacy_${q}(b * ${u(gq.plan.nPre)} + i, 0u, n);`)
    .join('');
  return `
fn emit_${p}(b: u32, i: u32, n: u32, bank: u32) {
  let slot = atomicAdd(&A[spike_count_index(b, ${u(p)}, bank)], 1u);
  U[${at(g.fused.spikeList[p])} + b * ${u(gp.plan.N)} + slot] = i;${efficacies}${markSpike(g, p)}
  count_spike(${u(p)}, ${at(o.activity)}, ${u(gp.recordSpikes)}, b, i, n);
}`;
}

function propagatePhase(g: FusedBatch, q: number): string {
  const gq = g.plan.projections[q];
  const pr = gq.plan;
  if (presynapticItems(gq)) {
    // Kinetic gates and per-synapse y move every step, spike or not: an item per presynaptic neuron.
    return `${presynapticPhase(g, q)}
fn propagate_${q}(b: u32, lane: u32, n: u32, bank: u32) {
  for (var j = lane; j < ${u(pr.nPre)}; j += R.lanes) { presynaptic_${q}(b, j, n); }
}`;
  }
  const csr = csrStart(g, q);
  const items = spikeItems(g, q);
  const walk = gq.procedural
    ? `let segment = item % ${u(items)};
    ${segmentEvents(g, q, 'segment')}`
    : `let rowEnd = U[${csr} + j + 1u];
    let first = U[${csr} + j] + (item % ${u(items)}) * FUSED_ROW_CHUNK;
    ${rowEvents(g, q, 'first', 'min(rowEnd, first + FUSED_ROW_CHUNK)')}`;
  // STP per presynaptic neuron was updated where the spike was emitted (emit_<p>); per synapse, the item updates its synapses.
  return `
fn propagate_${q}(b: u32, lane: u32, n: u32, bank: u32) {
  let items = atomicLoad(&A[spike_count_index(b, ${u(pr.pre)}, bank)]) * ${u(items)};
  let base = ${ringSlotBase(g, q)};
  for (var item = lane; item < items; item += R.lanes) {
    let s = item / ${u(items)};
    let j = U[${at(g.fused.spikeList[pr.pre])} + b * ${u(g.plan.populations[pr.pre].plan.N)} + s];
    ${spikeEfficacy(g, q, `F[${at(g.fused.efficacy[q])} + b * ${u(pr.nPre)} + s]`)}
    ${walk}
  }
}`;
}

/** The WGSL parts of the fused kernel of a plan (any batch size and lane count: they come in its uniform). */
export function fusedWgsl(g: FusedBatch): WgslPart[] {
  const { plan } = g;
  const P = plan.populations.length;
  const phases: string[] = [];
  for (let p = 0; p < P; p++) phases.push(populationPhase(g, p, `min(${u(populationBlocks(g.plan, p))}, R.lanes)`), emitPhase(g, p));
  for (let q = 0; q < plan.projections.length; q++) phases.push(stpPhases(g, q), propagatePhase(g, q));

  // Population p's invocations follow those of populations 0 … p − 1: T·min(blocks, lanes) each.
  const ranges = plan.populations.map((gp, p) => {
    const lanes = `min(${u(populationBlocks(g.plan, p))}, R.lanes)`;
    const partial = gp.recordMean ? `\n      F[${at(g.fused.inputPartial[p])} + b * ${u(partialLanes(g.plan, p))} + lane] = sum;` : '';
    return `  {
    let lanes = ${lanes};
    let end = first + R.T * lanes;
    if (g < end) {
      let b = (g - first) / lanes;
      let lane = (g - first) % lanes;
      let sum = population_${p}(b, lane, n, k, bank);${partial}
      return;
    }
    first = end;
  }`;
  });
  const means = plan.populations
    .map((gp, p) => ({ gp, p }))
    .filter(({ gp }) => gp.recordMean)
    .map(
      ({ gp, p }) => `    {
      var sum = 0.0;
      for (var l = 0u; l < min(${u(populationBlocks(g.plan, p))}, R.lanes); l++) { sum += F[${at(g.fused.inputPartial[p])} + b * ${u(partialLanes(g.plan, p))} + l]; }
      let r = ${at(g.offsets.populations[p].mean)} + b * TOTAL_BINS + n / BIN_STEPS;
      F[r] = F[r] + sum / (f32(${u(gp.plan.N)}) * f32(BIN_STEPS));
    }`,
    );
  const recordedStp = plan.projections.map((gq, q) => (g.recordStp && gq.plan.stpModel !== STP_NONE ? q : -1)).filter((q) => q >= 0);
  const top = `
// Spike counts of the step by (trial, population, step parity): the phase that fills one bank
// never meets the reset of the other (propagation resets the next step's bank).
fn spike_count_index(b: u32, pop: u32, bank: u32) -> u32 {
  return ${at(g.fused.spikeCounts)} + b * SPIKE_BANKS + 2u * pop + bank;
}

fn fused_populations(g: u32, n: u32, k: u32, bank: u32) {
  var first = 0u;
${ranges.join('\n')}
}

fn fused_propagation(b: u32, lane: u32, n: u32, bank: u32) {
  if (lane == 0u) {
    if (n < RECORDED_STEPS) {
${means.join('\n')}
    }
    for (var p = 0u; p < ${u(P)}; p++) { atomicStore(&A[spike_count_index(b, p, bank ^ 1u)], 0u); }
  }
${plan.projections.map((_, q) => `  propagate_${q}(b, lane, n, bank);`).join('\n')}
}

fn fused_bin_end(b: u32, lid: u32, n: u32) {
${recordedStp.map((q) => `  record_stp_${q}(b, lid, n);`).join('\n')}
}

fn fused_bin_end_thread(b: u32, n: u32) {
${recordedStp.map((q) => `  record_stp_thread_${q}(b, n);`).join('\n')}
}`;
  return arenaKernelParts(g, {
    name: 'fused',
    file: { name: 'kernels/fused.wgsl', code: fusedCode },
    constants: { FUSED_ROW_CHUNK },
    structs: [FusedStep.part],
    generated: `${phases.join('\n')}\n${top}\n`,
  });
}
