/**
 * The resident kernel (resident.wgsl): the WGSL of one network's step, generated from the GPU
 * plan for one batch. Each population's phase runs its neurons in blocks of four (one Philox block
 * each, as populationStep.wgsl), taking their input out of the rings and filters itself (as
 * projectionInput.wgsl) so that input and neuron of a block stay in one invocation and need no
 * barrier; each projection's phase walks the trial's spikes (as propagate.wgsl). Sizes, offsets
 * and parameters are constants: a float parameter is written as the bits of the float32 the
 * per-step kernels get in their uniforms, so both schedules compute with the same numbers.
 */
import { STP_NONE, STP_PARAM_KEYS } from '../../../compile';
import { GRID_WGSL, PHILOX_WGSL, wgslConstants, wgslStruct, type WgslPart } from '../../../gpu/wgsl';
import { POISSON_EVENTS_MAX_K, POISSON_EVENTS_WORD } from '../../../rng/poissonEvents';
import { Purpose, purposeWord } from '../../../rng/streams';
import { NEURON_GLIF, NEURON_LIF, NEURON_POISSON } from '../../../compile';
import { PROJECTION_INPUT, SPIKE_RECORD_CAPACITY } from '../layout';
import { stpParamValues, stpRest, type GpuPlan } from '../plan';
import { ENGINE_WGSL, STP_WGSL, stpCodeName } from './library';
import residentCode from './resident.wgsl?raw';
import spikeDrawCode from './spikeDraw.wgsl?raw';

/** The batch (binding 5): its trials and the global index of the first. */
export const ResidentParams = wgslStruct('ResidentParams', { T: 'u32', trialFrom: 'u32' });

/** Invocations per workgroup (one workgroup is one trial). */
export const RESIDENT_WG = 16;

/**
 * An element offset or size c + t·T, T the batch's trial count: the kernel reads T from its
 * uniform, so one compiled kernel serves batches of any size.
 */
export interface Lin {
  c: number;
  t: number;
}

/** Where each buffer of the per-step layout sits in the arenas (elements). */
export interface ResidentOffsets {
  populations: { state: Lin; refr: Lin; activity: Lin; sampled: Lin; mean: Lin }[];
  projections: { ring: Lin; stages: Lin; stp: Lin; last: Lin; csr: Lin; syn: Lin; recordedStp: Lin }[];
}

const u = (x: number): string => `${x >>> 0}u`;
/** The WGSL of c + t·T + extra·T (T from the uniform). */
function at(l: Lin, extraPerTrial = 0): string {
  const t = l.t + extraPerTrial;
  return t === 0 ? u(l.c) : l.c === 0 ? `(R.T * ${u(t)})` : `(${u(l.c)} + R.T * ${u(t)})`;
}
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);
/** The float32 nearest to x, spelled by its bits so that no decimal conversion can change it. */
function f(x: number): string {
  scratch[0] = x;
  if (!Number.isFinite(scratch[0])) throw new RangeError(`resident kernel: parameter ${x} is not a finite float32`);
  return `bitcast<f32>(0x${scratchBits[0].toString(16).padStart(8, '0')}u)`;
}

export interface ResidentBatch {
  plan: GpuPlan;
  seed: number;
  driveOffset: number;
  recordStp: boolean;
  offsets: ResidentOffsets;
}

function populationPhase(g: ResidentBatch, p: number, listStart: number): string {
  const { plan, offsets } = g;
  const gp = plan.populations[p];
  const pop = gp.plan;
  const o = offsets.populations[p];
  const N = pop.N;
  const dt = plan.net.dt;
  const drive = `atomicLoad(&ctl[${u(g.driveOffset)} + k * ${u(plan.populations.length)} + ${u(p)}])`;
  const emit = (i: string) => `emit(${u(p)}, ${u(listStart)}, bank, ${at(o.activity)}, ${u(gp.recordSpikes)}, b, ${i}, n);`;
  const trial = 'R.trialFrom + b';
  if (pop.model === NEURON_POISSON && pop.poissonEvents) {
    return `
fn population_${p}(b: u32, lid: u32, n: u32, k: u32, bank: u32) -> f32 {
  if (lid == 0u) {
    var chosen: array<u32, POISSON_EVENTS_MAX_K>;
    let K = draw_poisson_events(${drive}, ${u(N)}, SEED, ${u(pop.index)}, ${u(POISSON_EVENTS_WORD)}, n, ${trial}, &chosen);
    for (var t = 0u; t < K; t++) { ${emit('chosen[t]')} }
  }
  return 0.0;
}`;
  }
  if (pop.model === NEURON_POISSON) {
    return `
fn population_${p}(b: u32, lid: u32, n: u32, k: u32, bank: u32) -> f32 {
  let prob = bitcast<f32>(${drive});
  if (!(prob > 0.0)) { return 0.0; }
  for (var blk = lid; blk < ${u(Math.ceil(N / 4))}; blk += RWG) {
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
  for (const q of plan.inputOrder) {
    const gq = plan.projections[q];
    if (gq.plan.post !== p) continue;
    const oq = offsets.projections[q];
    const slots = gq.plan.delaySteps + 1;
    const ring = `${at(oq.ring)} + (n % ${u(slots)}) * R.T * ${u(N)} + kk`;
    const inv = f(1 / gq.fixedPoint.scale);
    if (gq.input === PROJECTION_INPUT.INPUT_DELTA) {
      inputs.push(`    {
      let kick = take_events(${ring}, ${inv});
      if (kick != 0.0) {
        kicks += kick;
        if (U[${at(o.refr)} + kk] == 0u) { F[${at(o.state)} + kk] = F[${at(o.state)} + kk] + kick; }
      }
    }`);
      continue;
    }
    const S = gq.stages;
    const P = gq.propagator;
    const st = (r: number) => `${at(oq.stages, r * N)} + kk`;
    inputs.push(`    {
      let s0 = F[${st(0)}] + take_events(${ring}, ${inv});
      let s1 = ${S > 1 ? `F[${st(1)}]` : '0.0'};
      let s2 = ${S > 2 ? `F[${st(2)}]` : '0.0'};
      ic += ${f(gq.plan.outScale)} * ${S === 1 ? 's0' : S === 2 ? 's1' : 's2'};
      F[${st(0)}] = ${f(P[0])} * s0;${S > 1 ? `\n      F[${st(1)}] = ${f(P[4])} * s0 + ${f(P[5])} * s1;` : ''}${S > 2 ? `\n      F[${st(2)}] = ${f(P[8])} * s0 + ${f(P[9])} * s1 + ${f(P[10])} * s2;` : ''}
    }`);
  }
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
fn population_${p}(b: u32, lid: u32, n: u32, k: u32, bank: u32) -> f32 {
  let drive = bitcast<f32>(${drive});
  let bin = n / BIN_STEPS;
  var inputSum = 0.0;
  for (var blk = lid; blk < ${u(Math.ceil(N / 4))}; blk += RWG) {
    var draw: Draw;
    draw.done = false;
    for (var i = 4u * blk; i < min(4u * blk + 4u, ${u(N)}); i++) {
      let kk = b * ${u(N)} + i;
      var ic = 0.0;
      var kicks = 0.0;
${inputs.join('\n')}
      let v = F[${at(o.state)} + kk];
      let inputNow = ic + ${f(pop.tauM / dt)} * kicks;
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
      let vInf = drive + ic;
      let vNext = vInf + (v - vInf) * ${f(pop.decayM)};
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

function projectionPhases(g: ResidentBatch, q: number, listStart: number[]): string {
  const { plan, offsets } = g;
  const gq = plan.projections[q];
  const pr = gq.plan;
  const o = offsets.projections[q];
  const scale = gq.fixedPoint.scale;
  const stp = pr.stpModel !== STP_NONE;
  const entries = gq.stpEntries;
  const params = stpParamValues(pr);
  const stpStruct = `StpParams(${STP_PARAM_KEYS.map((k) => f(params[k])).join(', ')})`;
  const vars = gq.stpVars;
  const row = (v: number, e: string) => `${at(o.stp, v * entries)} + ${e}`;
  const amount = gq.hetWeight ? `F[${at(o.syn)} + e] * ${f(pr.kickScale * scale)} * w` : `${f(pr.weight * pr.kickScale * scale)} * w`;
  let code = '';
  if (stp) {
    code += `
fn efficacy_${q}(e: u32, n: u32) -> f32 {
  let s = StpVars(F[${row(0, 'e')}], ${vars >= 2 ? `F[${row(1, 'e')}]` : '0.0'}, ${vars >= 3 ? `F[${row(2, 'e')}]` : '0.0'});
  let r = stp_on_spike(${stpCodeName(pr.stpModel)}, ${stpStruct}, s, f32(n - U[${at(o.last)} + e]) * ${f(plan.net.dt)});
  F[${row(0, 'e')}] = r.vars.a;${vars >= 2 ? `\n  F[${row(1, 'e')}] = r.vars.b;` : ''}${vars >= 3 ? `\n  F[${row(2, 'e')}] = r.vars.c;` : ''}
  U[${at(o.last)} + e] = n;
  return r.w;
}`;
  }
  code += `
fn propagate_${q}(b: u32, lid: u32, n: u32, bank: u32) {
  let count = atomicLoad(&spikeCount[${u(2 * pr.pre)} + bank]);
  let base = ${at(o.ring)} + ((n + ${u(pr.delaySteps)}) % ${u(pr.delaySteps + 1)}) * R.T * ${u(pr.nPost)} + b * ${u(pr.nPost)};
  for (var s = lid; s < count; s += RWG) {
    let j = spikeList[${u(listStart[pr.pre])} + s];
    let w = ${stp ? `efficacy_${q}(b * ${u(pr.nPre)} + j, n)` : '1.0'};
    for (var e = U[${at(o.csr)} + j]; e < U[${at(o.csr)} + j + 1u]; e++) {
      add_event(base + U[${at({ c: o.csr.c + pr.nPre + 1, t: o.csr.t })} + e], ${amount});
    }
  }
}`;
  if (stp && g.recordStp) {
    const rest = stpRest(pr);
    code += `
// The bin's STP means, each entry relaxed to t_{n+1} on a copy, as deviations from rest summed in
// blocks of 64 (recordStp.wgsl).
fn record_stp_${q}(b: u32, lid: u32, n: u32) {
  let tEnd = n + 1u;
  let rest = vec3<f32>(${f(rest[0])}, ${f(rest[1])}, ${f(rest[2])});
  var s = vec3<f32>(0.0);
  var blockSum = vec3<f32>(0.0);
  var inBlock = 0u;
  for (var e = lid; e < ${u(entries)}; e += RWG) {
    let kk = b * ${u(entries)} + e;
    let v = StpVars(F[${row(0, 'kk')}], ${vars >= 2 ? `F[${row(1, 'kk')}]` : '0.0'}, ${vars >= 3 ? `F[${row(2, 'kk')}]` : '0.0'});
    let r = stp_relax(${stpCodeName(pr.stpModel)}, ${stpStruct}, v, f32(tEnd - U[${at(o.last)} + kk]) * ${f(plan.net.dt)});
    blockSum += vec3<f32>(r.a, r.b, r.c) - rest;
    inBlock++;
    if (inBlock == 64u) {
      s += blockSum;
      blockSum = vec3<f32>(0.0);
      inBlock = 0u;
    }
  }
  let total = workgroup_sum(lid, s + blockSum);
  if (lid == 0u) {
    let mean = rest + total / f32(${u(entries)});
    let r = ${at(o.recordedStp)} + b * ${u(plan.totalBins)} + tEnd / BIN_STEPS - 1u;
    F[r] = mean.x;${vars >= 2 ? `\n    F[r + R.T * TOTAL_BINS] = mean.y;` : ''}${vars >= 3 ? `\n    F[r + 2u * R.T * TOTAL_BINS] = mean.z;` : ''}
  }
}`;
  }
  return code;
}

/** The WGSL parts of the resident kernel of a plan (any batch size: T and the first trial come in its uniform). */
export function residentWgsl(g: ResidentBatch): WgslPart[] {
  const { plan } = g;
  const P = plan.populations.length;
  const listStart: number[] = [];
  let slots = 0;
  for (const gp of plan.populations) {
    listStart.push(slots);
    slots += gp.plan.N;
  }
  const phases: string[] = [];
  for (let p = 0; p < P; p++) phases.push(populationPhase(g, p, listStart[p]));
  for (let q = 0; q < plan.projections.length; q++) phases.push(projectionPhases(g, q, listStart));

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
  const constants = wgslConstants('the resident batch (kernels/resident.ts)', {
    RWG: RESIDENT_WG,
    SEED: g.seed,
    SPIKE_WORD: purposeWord(Purpose.spike),
    BIN_STEPS: plan.binSteps,
    TOTAL_BINS: plan.totalBins,
    RECORDED_STEPS: plan.totalBins * plan.binSteps,
    SPIKE_SLOTS: Math.max(1, slots),
    SPIKE_BANKS: 2 * P,
    MEAN_SLOTS: Math.max(1, means.length) * RESIDENT_WG,
    SPIKE_RECORD_CAPACITY,
    POISSON_EVENTS_MAX_K,
  });
  return [
    PHILOX_WGSL,
    GRID_WGSL,
    ...ENGINE_WGSL,
    constants,
    ...STP_WGSL,
    { name: 'kernels/spikeDraw.wgsl', code: spikeDrawCode },
    { name: 'kernels/resident.wgsl', code: residentCode },
    { name: 'the network phases (generated by kernels/resident.ts)', code: `${phases.join('\n')}\n${step}\n` },
  ];
}
