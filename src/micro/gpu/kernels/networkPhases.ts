/**
 * The network's phases as generated WGSL, shared by the two schedules that run a whole step of a
 * network from one kernel module over the arenas (kernels/resident.ts: one workgroup per trial
 * for a chunk of steps; kernels/fused.ts: a few dispatches per step over all trials). Each
 * population's phase runs its neurons in blocks of four (one Philox block each, as
 * populationStep.wgsl), taking their input out of the rings and filters itself (as
 * projectionInput.wgsl) so that input and neuron of a block stay in one invocation; a spike goes
 * to `emit_<p>`, which each schedule defines. Projections whose state moves every step (kinetic
 * gates, per-synapse y) propagate by presynaptic neuron instead of by spike (presynapticPhase).
 * Sizes, offsets and parameters are constants: a float parameter is written as the bits of the
 * float32 the per-step kernels get in their uniforms, so every schedule computes with the same
 * numbers.
 */
import { FILTER_SYN_KINETIC, STP_MODELS, STP_NONE, STP_PARAM_KEYS, stpModelName } from '../../../compile';
import { POISSON_EVENTS_MAX_K, POISSON_EVENTS_WORD } from '../../../rng/poissonEvents';
import { Purpose, purposeWord } from '../../../rng/streams';
import { NEURON_GLIF, NEURON_LIF, NEURON_POISSON } from '../../../compile';
import { PROJECTION_INPUT, SPIKE_RECORD_CAPACITY } from '../layout';
import { stpParamValues, stpRest, type GpuPlan, type GpuProjection } from '../plan';
import { GRID_WGSL, PHILOX_WGSL, wgslConstants, wgslStruct, type WgslPart } from '../../../gpu/wgsl';
import { ENGINE_WGSL, KINETIC_GATE_WGSL, PULSE_JUMP_WGSL, STP_WGSL, stpCodeName } from './library';
import arenaCode from './arena.wgsl?raw';
import spikeDrawCode from './spikeDraw.wgsl?raw';
import workgroupSumCode from './workgroupSum.wgsl?raw';

/** Invocations of a workgroup that is one trial (the resident kernel, the STP means of both). */
export const RESIDENT_WG = 16;

/**
 * The batch (binding 5 of the arena kernels): its trials, the global index of its first (the
 * Philox trial counter), and the invocations per trial of the fused schedule's dispatches (the
 * resident kernel has a workgroup per trial instead).
 */
export const ArenaParams = wgslStruct('ArenaParams', { T: 'u32', trialFrom: 'u32', lanes: 'u32' });

/**
 * An element offset or size c + t·T, T the batch's trial count: the kernel reads T from its
 * uniform, so one compiled kernel serves batches of any size.
 */
export interface Lin {
  c: number;
  t: number;
}

/** Where each buffer of the per-step layout sits in the arenas (elements). */
export interface ArenaOffsets {
  /** lastSpike: the step + 1 of each neuron's latest spike, where a projection has presynaptic items (markSpike). */
  populations: { state: Lin; refr: Lin; activity: Lin; sampled: Lin; mean: Lin; lastSpike: Lin }[];
  projections: { ring: Lin; stages: Lin; stp: Lin; last: Lin; csr: Lin; syn: Lin; gates: Lin; y: Lin; recordedStp: Lin }[];
}

export const u = (x: number): string => `${x >>> 0}u`;
/** The WGSL of c + t·T + extra·T (T from the uniform). */
export function at(l: Lin, extraPerTrial = 0): string {
  const t = l.t + extraPerTrial;
  return t === 0 ? u(l.c) : l.c === 0 ? `(R.T * ${u(t)})` : `(${u(l.c)} + R.T * ${u(t)})`;
}
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);
/** The float32 nearest to x, spelled by its bits so that no decimal conversion can change it. */
export function f(x: number): string {
  scratch[0] = x;
  if (!Number.isFinite(scratch[0])) throw new RangeError(`resident kernel: parameter ${x} is not a finite float32`);
  return `bitcast<f32>(0x${scratchBits[0].toString(16).padStart(8, '0')}u)`;
}

/** What the phases are generated from: the plan, the batch's constants and where its state sits. */
export interface ArenaBatch {
  plan: GpuPlan;
  seed: number;
  driveOffset: number;
  recordStp: boolean;
  offsets: ArenaOffsets;
}

/**
 * Population p's phase for trial b as `population_<p>(b, lane, n, k, bank) -> f32`: lane `lane` of
 * `lanes` (a WGSL expression) takes every lanes-th block; it returns the lane's share of the
 * population's input sum.
 */
export function populationPhase(g: ArenaBatch, p: number, lanes: string): string {
  const { plan, offsets } = g;
  const gp = plan.populations[p];
  const pop = gp.plan;
  const o = offsets.populations[p];
  const N = pop.N;
  const dt = plan.net.dt;
  const drive = `atomicLoad(&ctl[${u(g.driveOffset)} + k * ${u(plan.populations.length)} + ${u(p)}])`;
  const emit = (i: string) => `emit_${p}(b, ${i}, n, bank);`;
  const trial = 'R.trialFrom + b';
  if (pop.model === NEURON_POISSON && pop.poissonEvents) {
    return `
fn population_${p}(b: u32, lane: u32, n: u32, k: u32, bank: u32) -> f32 {
  if (lane == 0u) {
    var chosen: array<u32, POISSON_EVENTS_MAX_K>;
    let K = draw_poisson_events(${drive}, ${u(N)}, SEED, ${u(pop.index)}, ${u(POISSON_EVENTS_WORD)}, n, ${trial}, &chosen);
    for (var t = 0u; t < K; t++) { ${emit('chosen[t]')} }
  }
  return 0.0;
}`;
  }
  if (pop.model === NEURON_POISSON) {
    return `
fn population_${p}(b: u32, lane: u32, n: u32, k: u32, bank: u32) -> f32 {
  let prob = bitcast<f32>(${drive});
  if (!(prob > 0.0)) { return 0.0; }
  for (var blk = lane; blk < ${u(Math.ceil(N / 4))}; blk += ${lanes}) {
    var draw: Draw;
    draw.done = false;
    for (var i = 4u * blk; i < min(4u * blk + 4u, ${u(N)}); i++) {
      if (block_uniform(&draw, i, n, ${trial}, SPIKE_WORD, SEED, ${u(pop.index)}) < prob) { ${emit('i')} }
    }
  }
  return 0.0;
}`;
  }
  // Input of neuron kk from each incoming projection, in the per-step kernels' order (delta first).
  const inputs: string[] = [];
  // synY.wgsl's post of the step before, for each per-synapse filter with postsynaptic stages.
  const posts: string[] = [];
  // With conductance pulses the delta events are collected (projectionInput.wgsl's DEFERRED) and act
  // together once all are in, before any filter reads V (applyPulses.wgsl's place in the step).
  const pulses = pop.pulseInput;
  let pulsesApplied = !pulses;
  const applyPulses = () => {
    const E = [0, 1, 2, 3].map((k) => f(pop.blockedPulseE[k] ?? 0)).join(', ');
    const mg = [0, 1, 2, 3].map((k) => f(pop.blockedPulseMg[k] ?? 0)).join(', ');
    inputs.push(`    {
      let jump = pulse_step(F[${at(o.state)} + kk], U[${at(o.refr)} + kk] == 0u, kicks, pulseW, pulseWE, pulseBlocked, ${u(pop.blockedPulses.length)}, ${f(pop.restPotential)}, vec4<f32>(${E}), vec4<f32>(${mg}));
      F[${at(o.state)} + kk] = jump.x;
      kicks = jump.y;
    }`);
    pulsesApplied = true;
  };
  for (const q of plan.inputOrder) {
    const gq = plan.projections[q];
    if (gq.plan.post !== p) continue;
    const oq = offsets.projections[q];
    const slots = gq.plan.delaySteps + 1;
    const ring = `${at(oq.ring)} + (n % ${u(slots)}) * R.T * ${u(N)} + kk`;
    const inv = f(1 / gq.fixedPoint.scale);
    if (gq.input === PROJECTION_INPUT.INPUT_DELTA) {
      const pr = gq.plan;
      const blocked = pop.blockedPulses.indexOf(pr.index);
      const take = !pulses
        ? `kicks += kick;
        if (U[${at(o.refr)} + kk] == 0u) { F[${at(o.state)} + kk] = F[${at(o.state)} + kk] + kick; }`
        : !pr.conductance
          ? 'kicks += kick;'
          : pr.mg > 0
            ? `pulseBlocked[${u(blocked)}] = pulseBlocked[${u(blocked)}] + kick;`
            : `pulseW += kick;
        pulseWE += kick * ${f(pr.E)};`;
      inputs.push(`    {
      let kick = take_events(${ring}, ${inv});
      if (kick != 0.0) {
        ${take}
      }
    }`);
      continue;
    }
    if (!pulsesApplied) applyPulses();
    const pr = gq.plan;
    // A conductance adds g·B(V) and g·B(V)·E, B the NMDA block at the V the delta kicks left (projectionInput.wgsl).
    const block = pr.mg > 0 ? ` / (1.0 + exp(-0.062 * (F[${at(o.state)} + kk] + ${f(pop.restPotential)})) * (${f(pr.mg)} / 3.57))` : '';
    const conductance = `let gb = gk${block};\n      g += gb;\n      ge += gb * ${f(pr.E)};`;
    if (gq.input === PROJECTION_INPUT.INPUT_SYN_Y || gq.input === PROJECTION_INPUT.INPUT_SYN_Y_STAGES) {
      // The ring holds the filter's value: fixed point, or the output stage's float bits (synYPost).
      const value = gq.input === PROJECTION_INPUT.INPUT_SYN_Y ? `take_events(${ring}, ${inv})` : `bitcast<f32>(take_word(${ring}))`;
      if (gq.input === PROJECTION_INPUT.INPUT_SYN_Y_STAGES) posts.push(synYPost(g, q));
      inputs.push(`    {
      let gk = ${f(pr.outScale)} * ${value};
      if (gk != 0.0) {
      ${pr.conductance ? conductance : 'ic += gk;'}
      }
    }`);
      continue;
    }
    if (gq.input === PROJECTION_INPUT.INPUT_KINETIC) {
      // The ring holds the gates' step means: the conductance itself (kineticPhase).
      inputs.push(`    {
      let gk = take_events(${ring}, ${inv});
      if (gk != 0.0) {
      ${conductance}
      }
    }`);
      continue;
    }
    const S = gq.stages;
    const P = gq.propagator;
    const st = (r: number) => `${at(oq.stages, r * N)} + kk`;
    const add = pr.conductance ? conductance : 'ic += gk;';
    // run.integration 'exact': every stage couples into the held current (projectionInput.wgsl EXACT).
    const c = pr.inputCoupling;
    const coupled = c ? Array.from(c, (cj, j) => `${f(cj)} * s${j}`).join(' + ') : null;
    inputs.push(`    {
      let s0 = F[${st(0)}] + take_events(${ring}, ${inv});
      let s1 = ${S > 1 ? `F[${st(1)}]` : '0.0'};
      let s2 = ${S > 2 ? `F[${st(2)}]` : '0.0'};
      let gk = ${coupled ?? `${f(pr.outScale)} * ${S === 1 ? 's0' : S === 2 ? 's1' : 's2'}`};
      if (gk != 0.0) {
      ${add}
      }
      F[${st(0)}] = ${f(P[0])} * s0;${S > 1 ? `\n      F[${st(1)}] = ${f(P[4])} * s0 + ${f(P[5])} * s1;` : ''}${S > 2 ? `\n      F[${st(2)}] = ${f(P[8])} * s0 + ${f(P[9])} * s1 + ${f(P[10])} * s2;` : ''}
    }`);
  }
  if (!pulsesApplied) applyPulses();
  const K = gp.K;
  const adapt: string[] = [];
  for (let q = 0; q < K; q++) {
    const idx = `${at(o.state, N)} + kk * ${u(K)} + ${u(q)}`;
    adapt.push(`    {
      let a = F[${idx}];
      theta0 += a;
      let a1 = a * ${f(pop.adaptDecay[q])};
      F[${idx}] = a1;
      theta1 += a1;
    }`);
  }
  const kicksOnSpike = Array.from({ length: K }, (_, q) => {
    const idx = `${at(o.state, N)} + kk * ${u(K)} + ${u(q)}`;
    return `\n        F[${idx}] = F[${idx}] + ${f(pop.adaptKick[q])};`;
  }).join('');
  const bins = plan.totalBins;
  const spikeTest =
    pop.model === NEURON_LIF
      ? `vNext >= ${f(pop.uTh)}`
      : `block_uniform(&draw, i, n, ${trial}, SPIKE_WORD, SEED, ${u(pop.index)}) < glif_spike_probability(v, vNext, theta0, theta1, ${f(pop.c)}, ${f(1 / pop.deltaU)}, ${f(dt)})`;
  if (pop.model !== NEURON_GLIF && pop.model !== NEURON_LIF) throw new Error(`resident kernel: population "${pop.name}" has an unknown model ${pop.model}`);
  return `
fn population_${p}(b: u32, lane: u32, n: u32, k: u32, bank: u32) -> f32 {
  let drive = bitcast<f32>(${drive});
  let bin = n / BIN_STEPS;
  var inputSum = 0.0;
  for (var blk = lane; blk < ${u(Math.ceil(N / 4))}; blk += ${lanes}) {
    var draw: Draw;
    draw.done = false;
    for (var i = 4u * blk; i < min(4u * blk + 4u, ${u(N)}); i++) {
      let kk = b * ${u(N)} + i;
      var ic = 0.0;
      var g = 0.0;
      var ge = 0.0;
      var kicks = 0.0;${posts.length > 0 ? `\n${posts.join('\n')}` : ''}${pulses ? '\n      var pulseW = 0.0;\n      var pulseWE = 0.0;\n      var pulseBlocked = vec4<f32>(0.0);' : ''}
${inputs.join('\n')}
      let v = F[${at(o.state)} + kk];
      let inputNow = ic + ge - g * v + ${f(pop.tauM / dt)} * kicks;
      if (bin < ${u(bins)}) {
        ${gp.recordInputs > 0 ? `if (i < ${u(gp.recordInputs)}) { let r = ${at(o.sampled)} + (b * ${u(gp.recordInputs)} + i) * ${u(bins)} + bin; F[r] = F[r] + inputNow / f32(BIN_STEPS); }` : ''}
        inputSum += inputNow;
      }
      var theta0 = ${f(pop.uTh)};
      var theta1 = ${f(pop.uTh)};
${adapt.join('\n')}
      let r = U[${at(o.refr)} + kk];
      if (r > 0u) {
        U[${at(o.refr)} + kk] = r - 1u;
        continue;
      }
      var vNext: f32;
      if (g != 0.0) {
        let lam = 1.0 + g;
        let vInf = (drive + ic + ge) / lam;
        vNext = vInf + (v - vInf) * exp(-(${f(dt)} * lam) / ${f(pop.tauM)});
      } else {
        let vInf = drive + ic;
        vNext = vInf + (v - vInf) * ${f(pop.decayM)};
      }
      if (${spikeTest}) {
        F[${at(o.state)} + kk] = ${f(pop.uReset)};
        U[${at(o.refr)} + kk] = ${u(pop.refSteps)};${kicksOnSpike}
        ${emit('i')}
      } else {
        F[${at(o.state)} + kk] = vNext;
      }
    }
  }
  return inputSum;
}`;
}

/**
 * Projection q's STP functions: `stp_params_<q>(s)`, the parameters of synapse s (its own where
 * the state is per synapse, stored after J_s as in plan.ts's synapse data; the projection's
 * otherwise); `efficacy_<q>(e, s, n)`, the lazy update of entry e (synapse s) at a spike of step
 * n; and with STP recorded the bin's STP means of trial b, `record_stp_<q>(b, lid, n)` over a
 * workgroup of RWG invocations (one trial per workgroup) or `record_stp_thread_<q>(b, n)` in one
 * invocation.
 */
export function stpPhases(g: ArenaBatch, q: number): string {
  const { plan, offsets } = g;
  const gq = plan.projections[q];
  const pr = gq.plan;
  const o = offsets.projections[q];
  const stp = pr.stpModel !== STP_NONE;
  const entries = gq.stpEntries;
  const params = stpParamValues(pr);
  const vars = gq.stpVars;
  const row = (v: number, e: string) => `${at(o.stp, v * entries)} + ${e}`;
  let code = '';
  if (stp) {
    // Per synapse: one row of nSyn per parameter of the model, after the weights' row (plan.ts synapseData).
    const own = gq.perSynapse ? STP_MODELS[stpModelName(pr.stpModel)].params : [];
    const first = gq.hetWeight ? pr.nSyn : 0;
    const value = (k: (typeof STP_PARAM_KEYS)[number]) => {
      const r = (own as readonly string[]).indexOf(k);
      return r < 0 ? f(params[k]) : `F[${at(o.syn)} + ${u(first + r * pr.nSyn)} + s]`;
    };
    code += `
fn stp_params_${q}(s: u32) -> StpParams {
  return StpParams(${STP_PARAM_KEYS.map(value).join(', ')});
}

fn efficacy_${q}(e: u32, s: u32, n: u32) -> f32 {
  let v = StpVars(F[${row(0, 'e')}], ${vars >= 2 ? `F[${row(1, 'e')}]` : '0.0'}, ${vars >= 3 ? `F[${row(2, 'e')}]` : '0.0'});
  let r = stp_on_spike(${stpCodeName(pr.stpModel)}, stp_params_${q}(s), v, f32(n - U[${at(o.last)} + e]) * ${f(plan.net.dt)});
  F[${row(0, 'e')}] = r.vars.a;${vars >= 2 ? `\n  F[${row(1, 'e')}] = r.vars.b;` : ''}${vars >= 3 ? `\n  F[${row(2, 'e')}] = r.vars.c;` : ''}
  U[${at(o.last)} + e] = n;
  return r.w;
}`;
  }
  if (stp && g.recordStp) {
    const rest = stpRest(pr);
    code += `
// The bin's STP means, each entry relaxed to t_{n+1} on a copy, as deviations from rest summed in
// blocks of 64 and those in blocks of 64 blocks, so that the float32 error grows with the blocks,
// not the entries (a trial may have millions): each lane of a trial sums every lanes-th entry.
fn stp_bin_sum_${q}(b: u32, lane: u32, lanes: u32, n: u32) -> vec3<f32> {
  let tEnd = n + 1u;
  let rest = vec3<f32>(${f(rest[0])}, ${f(rest[1])}, ${f(rest[2])});
  var s = vec3<f32>(0.0);
  var superSum = vec3<f32>(0.0);
  var blockSum = vec3<f32>(0.0);
  var inBlock = 0u;
  var inSuper = 0u;
  for (var e = lane; e < ${u(entries)}; e += lanes) {
    let kk = b * ${u(entries)} + e;
    let v = StpVars(F[${row(0, 'kk')}], ${vars >= 2 ? `F[${row(1, 'kk')}]` : '0.0'}, ${vars >= 3 ? `F[${row(2, 'kk')}]` : '0.0'});
    let r = stp_relax(${stpCodeName(pr.stpModel)}, stp_params_${q}(${gq.perSynapse ? 'e' : '0u'}), v, f32(tEnd - U[${at(o.last)} + kk]) * ${f(plan.net.dt)});
    blockSum += vec3<f32>(r.a, r.b, r.c) - rest;
    inBlock++;
    if (inBlock == 64u) {
      superSum += blockSum;
      blockSum = vec3<f32>(0.0);
      inBlock = 0u;
      inSuper++;
      if (inSuper == 64u) {
        s += superSum;
        superSum = vec3<f32>(0.0);
        inSuper = 0u;
      }
    }
  }
  return s + (superSum + blockSum);
}

fn write_stp_mean_${q}(b: u32, n: u32, total: vec3<f32>) {
  let rest = vec3<f32>(${f(rest[0])}, ${f(rest[1])}, ${f(rest[2])});
  let mean = rest + total / f32(${u(entries)});
  let r = ${at(o.recordedStp)} + b * ${u(plan.totalBins)} + (n + 1u) / BIN_STEPS - 1u;
  F[r] = mean.x;${vars >= 2 ? `\n  F[r + R.T * TOTAL_BINS] = mean.y;` : ''}${vars >= 3 ? `\n  F[r + 2u * R.T * TOTAL_BINS] = mean.z;` : ''}
}

// Over a workgroup of RWG invocations that is trial b (call in uniform control flow).
fn record_stp_${q}(b: u32, lid: u32, n: u32) {
  let total = workgroup_sum(lid, stp_bin_sum_${q}(b, lid, RWG, n));
  if (lid == 0u) { write_stp_mean_${q}(b, n, total); }
}

// In one invocation (few entries, or an adapter that runs a workgroup's lanes one after another).
fn record_stp_thread_${q}(b: u32, n: u32) {
  write_stp_mean_${q}(b, n, stp_bin_sum_${q}(b, 0u, 1u, n));
}`;
  }
  return code;
}

/**
 * The start of trial b's ring slot that a spike of step n reaches (n + delay), in the `propagate_<q>`
 * functions of both schedules (the variables b and n in scope).
 */
export function ringSlotBase(g: ArenaBatch, q: number): string {
  const pr = g.plan.projections[q].plan;
  return `${at(g.offsets.projections[q].ring)} + ((n + ${u(pr.delaySteps)}) % ${u(pr.delaySteps + 1)}) * R.T * ${u(pr.nPost)} + b * ${u(pr.nPost)}`;
}

/**
 * The efficacy of a spike of projection q as `let w` before its row is walked: `perSpike` (a WGSL
 * expression) with STP per presynaptic neuron, 1 without STP, nothing with STP per synapse (rowEvents
 * updates each synapse).
 */
export function spikeEfficacy(g: ArenaBatch, q: number, perSpike: string): string {
  const gq = g.plan.projections[q];
  if (gq.plan.stpModel === STP_NONE) return 'let w = 1.0;';
  return gq.perSynapse ? '' : `let w = ${perSpike};`;
}

/**
 * Where trial b's CSR of projection q starts (rowStart [nPre + 1], then the targets): the shared
 * one, or the trial's block of a network drawn per trial (the variable b in scope).
 */
export function csrStart(g: ArenaBatch, q: number): string {
  const stride = g.plan.projections[q].perTrialCsr?.stride;
  const shared = at(g.offsets.projections[q].csr);
  return stride === undefined ? shared : `(${shared} + b * ${u(stride)})`;
}

/**
 * Synapses [first, end) of a row of projection q (trial b, step n, ring slot `base`): each one's
 * fixed-point event into the ring, after its own STP update where the state is per synapse.
 */
export function rowEvents(g: ArenaBatch, q: number, first: string, end: string): string {
  const gq = g.plan.projections[q];
  const pr = gq.plan;
  const perSynapse = pr.stpModel !== STP_NONE && gq.perSynapse;
  return `for (var e = ${first}; e < ${end}; e++) {${perSynapse ? `\n      let w = efficacy_${q}(b * ${u(pr.nSyn)} + e, e, n);` : ''}
      add_event(base + U[${csrStart(g, q)} + ${u(pr.nPre + 1)} + e], ${eventAmount(g, q)});
    }`;
}

/** Segments of a row of procedural projection gq (at least one, so that a spike's items never divide by zero). */
export function rowSegments(gq: GpuProjection): number {
  const rows = gq.procedural;
  return rows ? Math.max(1, Math.ceil(rows.candidates / rows.segment)) : 1;
}

/**
 * Segment `segment` (a WGSL variable) of presynaptic neuron j's row of procedural projection q
 * (trial b, step n, ring slot `base`, efficacy `w`): its targets regenerated from the Philox
 * counter and key of propagateProcedural.wgsl's walk_segment, drawn and compared with the same
 * float32 operations, each one's fixed-point event into the ring. The amount is rowEvents' (the
 * float32 J·kickScale·scale times w, rounded per target), which equals the general schedule's
 * once-per-spike rounding of the same product, so every schedule adds the same integers.
 */
export function segmentEvents(g: ArenaBatch, q: number, segment: string): string {
  const gq = g.plan.projections[q];
  const pr = gq.plan;
  const gen = gq.procedural;
  if (!gen) throw new Error(`projection "${pr.name}" has explicit connectivity: its rows are rowEvents'`);
  // Without autapses candidate c ≥ j stands for target c + 1 (target_of).
  const target = (c: string) => (gen.noSelf ? `select(${c}, ${c} + 1u, ${c} >= j)` : c);
  const first = `let first = ${segment} * ${u(gen.segment)};
      let end = min(first + ${u(gen.segment)}, ${u(gen.candidates)});`;
  const amount = eventAmount(g, q);
  if (gen.allToAll) {
    return `{
      ${first}
      for (var c = first; c < end; c++) { add_event(base + ${target('c')}, ${amount}); }
    }`;
  }
  const trialWord = pr.perTrial ? 'R.trialFrom + b' : '0u';
  return `{
      ${first}
      var drawn = 0u;
      var used = 4u;
      var words = vec4<u32>(0u);
      var c = i32(first) - 1;
      loop {
        if (used == 4u) {
          words = philox4x32_10(vec4<u32>(j, ${segment}, ${trialWord}, ${u(purposeWord(Purpose.connectivity))} + drawn), vec2<u32>(SEED, ${u(pr.index)}));
          drawn++;
          used = 0u;
        }
        let uniformDraw = philox_uniform(words[used]);
        used++;
        let gap = floor(log(1.0 - uniformDraw) / ${f(Math.log1p(-gen.p))});
        // Compare in float first: a tiny p can give gaps beyond the i32 range.
        if (!(gap < f32(i32(end) - c - 1))) { break; }
        c += i32(gap) + 1;
        let t = u32(c);
        add_event(base + ${target('t')}, ${amount});
      }
    }`;
}

/**
 * Whether projection q's propagation runs as one item per presynaptic neuron, spike or not (its
 * state moves every step: kinetic gates, kineticPhase; per-synapse y, synYPhase) instead of one
 * per spike; such an item updates the STP state of its row itself.
 */
export function presynapticItems(gq: GpuProjection): boolean {
  return gq.gates > 0 || gq.input === PROJECTION_INPUT.INPUT_SYN_Y || gq.input === PROJECTION_INPUT.INPUT_SYN_Y_STAGES;
}

/**
 * The statement that marks neuron i of population p as spiking in step n (trial b), for the
 * `emit_<p>` of both schedules, where a projection of p has presynaptic items; else empty.
 */
export function markSpike(g: ArenaBatch, p: number): string {
  if (!g.plan.projections.some((gq) => gq.plan.pre === p && presynapticItems(gq))) return '';
  return `\n  U[${at(g.offsets.populations[p].lastSpike)} + b * ${u(g.plan.populations[p].plan.N)} + i] = n + 1u;`;
}

/**
 * Kinetic projection q's item for presynaptic neuron j of trial b in step n, `presynaptic_<q>(b, j, n)`:
 * kinetic.wgsl's on_spike and advance for the gates of j (its own, or one per synapse of its row),
 * each gate in exactly one item: if j spiked this step (markSpike), the STP update and the start of
 * the gates' pulses; then each gate's exact step (gate_step) and its mean into ring slot n + d of
 * its targets, with kinetic.wgsl's float32 operations.
 */
function kineticPhase(g: ArenaBatch, q: number): string {
  const { plan } = g;
  const gq = plan.projections[q];
  const pr = gq.plan;
  const kin = pr.kinetic;
  if (!kin || gq.gates === 0) throw new Error(`projection "${pr.name}" has no kinetic receptor gates`);
  const o = g.offsets.projections[q];
  const row = (r: number) => `${at(o.gates, r * gq.gates)} + gate`;
  const csr = csrStart(g, q);
  const stp = pr.stpModel !== STP_NONE;
  const amount = gq.hetWeight ? `F[${at(o.syn)} + e] * ${f(gq.fixedPoint.scale)} * mean` : `${f(pr.weight * gq.fixedPoint.scale)} * mean`;
  const perSynapse = pr.filter === FILTER_SYN_KINETIC;
  const gate = (exit: string, stpEntry: string) => `if (spiked) {
      F[${row(1)}] = ${f(kin.Tmax)} * ${stp ? `efficacy_${q}(gate, ${stpEntry}, n)` : '1.0'};
      F[${row(2)}] = ${f(kin.pulseDuration)};
    }
    let s = F[${row(0)}];
    let left = F[${row(2)}];
    if (s == 0.0 && left <= 0.0) { ${exit}; }
    let r = gate_step(s, F[${row(1)}], left, ${f(plan.net.dt)}, ${f(kin.alpha)}, ${f(kin.beta)});
    F[${row(0)}] = r.x;
    if (left > 0.0) { F[${row(2)}] = r.y; }
    let mean = r.z;
    if (mean == 0.0) { ${exit}; }`;
  const target = (e: string) => `base + U[${csr} + ${u(pr.nPre + 1)} + ${e}]`;
  const body = perSynapse
    ? `for (var e = U[${csr} + j]; e < U[${csr} + j + 1u]; e++) {
    let gate = b * ${u(pr.nSyn)} + e;
    ${gate('continue', 'e')}
    add_event(${target('e')}, ${amount});
  }`
    : `let gate = b * ${u(pr.nPre)} + j;
  ${gate('return', '0u')}
  for (var e = U[${csr} + j]; e < U[${csr} + j + 1u]; e++) { add_event(${target('e')}, ${amount}); }`;
  return `
fn presynaptic_${q}(b: u32, j: u32, n: u32) {
  let spiked = U[${at(g.offsets.populations[pr.pre].lastSpike)} + b * ${u(pr.nPre)} + j] == n + 1u;
  let base = ${ringSlotBase(g, q)};
  ${body}
}`;
}

/**
 * Projection q's `presynaptic_<q>(b, j, n)` where presynapticItems(q): kineticPhase or synYPhase.
 * Both schedules call it for every presynaptic neuron of every trial in the propagation phase.
 */
export function presynapticPhase(g: ArenaBatch, q: number): string {
  return g.plan.projections[q].gates > 0 ? kineticPhase(g, q) : synYPhase(g, q);
}

/** Where kick_s starts in projection q's synapse data: after J_s and the three-state parameters (plan.ts synapseData, synY.wgsl row_offset). */
function synYRows(gq: GpuProjection): number {
  return (gq.hetWeight ? gq.plan.nSyn : 0) + STP_MODELS['three-state'].params.length * gq.plan.nSyn;
}

/**
 * Per-synapse filter projection q's item for presynaptic neuron j of trial b in step n,
 * `presynaptic_<q>(b, j, n)`: synY.wgsl's on_spike and synapses for the synapses of j's row, each in
 * exactly one item: if j spiked this step (markSpike), the STP update and y_s += J_s·w_s·kick_s;
 * then y_s into ring slot n + d of its target (without postsynaptic stages) or its couplings into
 * the stages' accumulators (with them), and y_s ← y_s·e^{−dt/τin_s}. synYPost is synY.wgsl's post.
 */
function synYPhase(g: ArenaBatch, q: number): string {
  const gq = g.plan.projections[q];
  const pr = gq.plan;
  const o = g.offsets.projections[q];
  const S = pr.postStages;
  const csr = csrStart(g, q);
  const syn = (row: number) => `F[${at(o.syn)} + ${u(synYRows(gq) + row * pr.nSyn)} + e]`;
  const scale = f(gq.fixedPoint.scale);
  const target = `U[${csr} + ${u(pr.nPre + 1)} + e]`;
  const out =
    S === 0
      ? `add_event(base + ${target}, v * ${scale});`
      : Array.from(
          { length: S },
          (_, k) => `add_event(${at(o.ring, (pr.delaySteps + 1 + k) * pr.nPost)} + b * ${u(pr.nPost)} + ${target}, v * ${syn(2 + k)} * ${scale});`,
        ).join('\n    ');
  return `
fn presynaptic_${q}(b: u32, j: u32, n: u32) {
  let spiked = U[${at(g.offsets.populations[pr.pre].lastSpike)} + b * ${u(pr.nPre)} + j] == n + 1u;${
    S === 0
      ? `
  let base = ${ringSlotBase(g, q)};`
      : ''
  }
  for (var e = U[${csr} + j]; e < U[${csr} + j + 1u]; e++) {
    let k = ${at(o.y)} + b * ${u(pr.nSyn)} + e;
    var v = F[k];
    if (spiked) {
      v += ${gq.hetWeight ? `F[${at(o.syn)} + e]` : f(pr.weight)} * efficacy_${q}(b * ${u(pr.nSyn)} + e, e, n) * ${syn(0)};
      F[k] = v;
    }
    if (v == 0.0) { continue; }
    ${out}
    F[k] = v * ${syn(1)};
  }
}`;
}

/**
 * synY.wgsl's post of step n − 1 for neuron kk of the postsynaptic population (the variables kk, n
 * and the arenas in scope): ring slot n − 1 + d ← the output stage (float bits), then the stages
 * advance and take the couplings the synapses accumulated in step n − 1. Run by the invocation that
 * owns the neuron at the start of step n, before it reads its input, so a delay of one step reads
 * what it wrote; in step 0 there is no step before.
 */
function synYPost(g: ArenaBatch, q: number): string {
  const gq = g.plan.projections[q];
  const pr = gq.plan;
  const o = g.offsets.projections[q];
  const N = pr.nPost;
  const S = pr.postStages;
  const P = gq.propagator;
  const st = (r: number) => `${at(o.stages, r * N)} + kk`;
  const accumulated = (r: number) =>
    `f32(bitcast<i32>(atomicExchange(&A[${at(o.ring, (pr.delaySteps + 1 + r) * N)} + kk], 0u))) * ${f(1 / gq.fixedPoint.scale)}`;
  return `    if (n > 0u) {
      let s0 = F[${st(0)}];
      let s1 = ${S > 1 ? `F[${st(1)}]` : '0.0'};
      atomicStore(&A[${at(o.ring)} + ((n - 1u + ${u(pr.delaySteps)}) % ${u(pr.delaySteps + 1)}) * R.T * ${u(N)} + kk], bitcast<u32>(${S > 1 ? 's1' : 's0'}));
      let c0 = ${accumulated(0)};
      F[${st(0)}] = ${f(P[0])} * s0 + c0;${
        S > 1
          ? `
      let c1 = ${accumulated(1)};
      F[${st(1)}] = ${f(P[4])} * s0 + ${f(P[5])} * s1 + c1;`
          : ''
      }
    }`;
}

/** The fixed-point amount a spike of efficacy `w` adds for synapse `e` of projection q (as propagate.wgsl). */
function eventAmount(g: ArenaBatch, q: number): string {
  const gq = g.plan.projections[q];
  const pr = gq.plan;
  const scale = gq.fixedPoint.scale;
  return gq.hetWeight ? `F[${at(g.offsets.projections[q].syn)} + e] * ${f(pr.kickScale * scale)} * w` : `${f(pr.weight * pr.kickScale * scale)} * w`;
}

/**
 * The WGSL parts of an arena kernel: the libraries, the constants every arena kernel has with the
 * schedule's own, the shared parts (spike draws, arena bindings and bookkeeping, the workgroup
 * sum), then the schedule's file and its generated phases.
 */
export function arenaKernelParts(
  g: ArenaBatch,
  kernel: { name: string; file: WgslPart; constants: Record<string, number>; structs: WgslPart[]; generated: string },
): WgslPart[] {
  const { plan } = g;
  const constants = wgslConstants(`the ${kernel.name} batch (kernels/${kernel.name}.ts)`, {
    RWG: RESIDENT_WG,
    SEED: g.seed,
    SPIKE_WORD: purposeWord(Purpose.spike),
    BIN_STEPS: plan.binSteps,
    TOTAL_BINS: plan.totalBins,
    RECORDED_STEPS: plan.totalBins * plan.binSteps,
    SPIKE_BANKS: 2 * plan.populations.length,
    SPIKE_RECORD_CAPACITY,
    POISSON_EVENTS_MAX_K,
    ...kernel.constants,
  });
  return [
    PHILOX_WGSL,
    GRID_WGSL,
    ...ENGINE_WGSL,
    ...(plan.populations.some((gp) => gp.plan.pulseInput) ? [PULSE_JUMP_WGSL] : []),
    ...(plan.projections.some((gq) => gq.gates > 0) ? [KINETIC_GATE_WGSL] : []),
    constants,
    ...STP_WGSL,
    ArenaParams.part,
    ...kernel.structs,
    { name: 'kernels/spikeDraw.wgsl', code: spikeDrawCode },
    { name: 'kernels/arena.wgsl', code: arenaCode },
    { name: 'kernels/workgroupSum.wgsl', code: workgroupSumCode },
    kernel.file,
    { name: `the network phases (generated by kernels/${kernel.name}.ts)`, code: kernel.generated },
  ];
}
