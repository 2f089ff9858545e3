/**
 * The resident kernel (resident.wgsl): one workgroup per trial runs a whole chunk of steps, the
 * network's phases (kernels/networkPhases.ts) separated by workgroup barriers; each step's spikes
 * are kept in workgroup memory, and each projection's phase walks the trial's spikes (as
 * propagate.wgsl and propagateProcedural.wgsl), or its presynaptic neurons where its state moves
 * every step (kinetic gates, per-synapse y: networkPhases.ts presynapticPhase).
 */
import { STP_NONE } from '../../../compile';
import type { WgslPart } from '../../../gpu/wgsl';
import {
  arenaKernelParts,
  at,
  csrStart,
  markSpike,
  presynapticItems,
  presynapticPhase,
  populationPhase,
  RESIDENT_WG,
  ringSlotBase,
  rowEvents,
  rowSegments,
  segmentEvents,
  spikeEfficacy,
  stpPhases,
  u,
  type ArenaBatch,
} from './networkPhases';
import residentCode from './resident.wgsl?raw';

/**
 * Projection q's phase: lane lid of trial b's workgroup walks every RWG-th spike of the step, its
 * CSR row or, for procedural connectivity, every segment of its regenerated row.
 */
function propagatePhase(g: ArenaBatch, q: number, listStart: number[]): string {
  const gq = g.plan.projections[q];
  const pr = gq.plan;
  if (presynapticItems(gq)) {
    // Kinetic gates and per-synapse y move every step, spike or not: an item per presynaptic neuron.
    return `${presynapticPhase(g, q)}
fn propagate_${q}(b: u32, lid: u32, n: u32, bank: u32) {
  for (var j = lid; j < ${u(pr.nPre)}; j += RWG) { presynaptic_${q}(b, j, n); }
}`;
  }
  const csr = csrStart(g, q);
  const walk = gq.procedural
    ? `for (var segment = 0u; segment < ${u(rowSegments(gq))}; segment++) {
      ${segmentEvents(g, q, 'segment')}
    }`
    : rowEvents(g, q, `U[${csr} + j]`, `U[${csr} + j + 1u]`);
  return `
fn propagate_${q}(b: u32, lid: u32, n: u32, bank: u32) {
  let count = atomicLoad(&spikeCount[${u(2 * pr.pre)} + bank]);
  let base = ${ringSlotBase(g, q)};
  for (var s = lid; s < count; s += RWG) {
    let j = spikeList[${u(listStart[pr.pre])} + s];
    ${spikeEfficacy(g, q, `efficacy_${q}(b * ${u(pr.nPre)} + j, 0u, n)`)}
    ${walk}
  }
}`;
}

/** The WGSL parts of the resident kernel of a plan (any batch size: T and the first trial come in its uniform). */
export function residentWgsl(g: ArenaBatch): WgslPart[] {
  const { plan } = g;
  const P = plan.populations.length;
  const listStart: number[] = [];
  let slots = 0;
  for (const gp of plan.populations) {
    listStart.push(slots);
    slots += gp.plan.N;
  }
  const phases: string[] = [];
  for (let p = 0; p < P; p++) {
    const o = g.offsets.populations[p];
    phases.push(populationPhase(g, p, 'RWG'));
    phases.push(`
fn emit_${p}(b: u32, i: u32, n: u32, bank: u32) {
  emit(${u(p)}, ${u(listStart[p])}, bank, ${at(o.activity)}, ${u(plan.populations[p].recordSpikes)}, b, i, n);${markSpike(g, p)}
}`);
  }
  for (let q = 0; q < plan.projections.length; q++) phases.push(stpPhases(g, q), propagatePhase(g, q, listStart));

  const means = plan.populations.map((gp, p) => (gp.recordMean ? { p, o: g.offsets.populations[p].mean, N: gp.plan.N } : null)).filter((x) => x !== null);
  const recordedStp = plan.projections.map((gq, q) => (g.recordStp && gq.plan.stpModel !== STP_NONE ? q : -1)).filter((q) => q >= 0);
  const step = `
// One step of trial b: the populations (input, neurons, spikes), the input means, the projections'
// spikes into the rings, then at a bin's end the STP means (docs/step-semantics.md).
fn resident_step(b: u32, lid: u32, n: u32, k: u32) {
  let bank = n & 1u;
${plan.populations.map((_, p) => `  let input_${p} = population_${p}(b, lid, n, k, bank);`).join('\n')}
${means.map((m, j) => `  inputPartial[${u(j * RESIDENT_WG)} + lid] = input_${m.p};`).join('\n')}
  storageBarrier();
  workgroupBarrier();
  // The input means: invocation 0 adds the partial sums while the others propagate (no barrier of their own).
  if (lid == 0u && n < RECORDED_STEPS) {
${means
  .map(
    (m, j) => `    var mean_${m.p} = 0.0;
    for (var i = 0u; i < RWG; i++) { mean_${m.p} += inputPartial[${u(j * RESIDENT_WG)} + i]; }
    let r_${m.p} = ${at(m.o)} + b * TOTAL_BINS + n / BIN_STEPS;
    F[r_${m.p}] = F[r_${m.p}] + mean_${m.p} / (f32(${u(m.N)}) * f32(BIN_STEPS));`,
  )
  .join('\n')}
  }
${plan.projections.map((_, q) => `  propagate_${q}(b, lid, n, bank);`).join('\n')}
  if (lid < ${u(P)}) { atomicStore(&spikeCount[2u * lid + (bank ^ 1u)], 0u); }
  storageBarrier();
  workgroupBarrier();
  if (n < RECORDED_STEPS && (n + 1u) % BIN_STEPS == 0u) {
${recordedStp.map((q) => `    record_stp_${q}(b, lid, n);`).join('\n')}
  }
}`;
  return arenaKernelParts(g, {
    name: 'resident',
    file: { name: 'kernels/resident.wgsl', code: residentCode },
    constants: { SPIKE_SLOTS: Math.max(1, slots), MEAN_SLOTS: Math.max(1, means.length) * RESIDENT_WG },
    structs: [],
    generated: `${phases.join('\n')}\n${step}\n`,
  });
}
