/**
 * The meso-gpu step kernel on the host (mesoStep.wgsl): its parameter struct, the population and
 * projection tables it reads, the layout constants it shares with plan.ts, and the WGSL parts it
 * is composed of. Declared once here, so that host and shader cannot disagree by position.
 */
import { MAX_GPU_ADAPTATION_KERNELS, MODEL_CODES } from '../../../compile';
import { MAX_MESO_GPU_POPULATIONS, MAX_MESO_GPU_PROJECTIONS } from '../../../compile/support';
import type { AdapterSummary } from '../../../gpu/device';
import { PHILOX_WGSL, wgslConstants, wgslStruct, type WgslPart } from '../../../gpu/wgsl';
import { BINOMIAL_WGSL } from './binomialDraws';
import code from './mesoStep.wgsl?raw';
import stpCode from './stpMeanField.wgsl?raw';

/**
 * Lanes of a trial's workgroup (the kernel's `override LANES`). On a GPU, 64: the bins of a
 * population (K ≈ 250 for τm = 20 ms at dt = 0.5 ms) take four passes, and more lanes would idle
 * in the projections' phase. On a software adapter, 8: llvmpipe runs a workgroup's lanes as SIMD
 * vectors of 8 and switches between the vectors at every barrier, so one vector is fastest
 * (measured on V2, 200 trials of 0.5 s: 64 lanes 11.0 s, 32 7.3 s, 16 8.0 s, 8 5.0 s, on a
 * shared 2-core machine whose timings vary by ~1.5×). Fewer where the adapter's workgroup memory
 * cannot hold two banks of SUM_VECTORS sums per lane (64 lanes need 16 KiB, WebGPU's default).
 */
export function lanesFor(adapter: Pick<AdapterSummary, 'software' | 'limits'>): number {
  const fit = Math.floor(adapter.limits.maxComputeWorkgroupStorageSize / (2 * SUM_VECTORS * 16));
  return Math.max(1, Math.min(adapter.software ? 8 : 64, fit));
}

/**
 * How the kernel maps trials onto invocations (docs/meso-gpu.md, "Two layouts"):
 * - `lanes`: a workgroup per trial, whose lanes share a population's age bins and the projections,
 *   with barriers between the phases of a step; for few trials, or many occupied bins on a GPU;
 * - `trials`: an invocation per trial (LANES = 1), which runs the whole step alone, with no
 *   barriers and no workgroup memory; neighbouring invocations are neighbouring trials, which a
 *   software adapter runs as one SIMD vector. A trial's arithmetic is the `lanes` layout's with one
 *   lane, in the same order.
 */
export type MesoGpuLayout = 'lanes' | 'trials';
export const MESO_GPU_LAYOUTS: readonly MesoGpuLayout[] = ['lanes', 'trials'];

/**
 * Invocations per workgroup in the `trials` layout: 64, eight of llvmpipe's 8-wide SIMD vectors,
 * which run one after another without barriers between them, and two warps on a GPU.
 */
export const TRIALS_PER_WORKGROUP = 64;

/**
 * The layout when the caller names none: `trials` on a software adapter once there are at least two
 * of its SIMD vectors of trials (16), since there the barriers of `lanes` cost more than the bins;
 * `lanes` otherwise. On a hardware GPU `lanes` stays the default: `trials` has not been measured on one.
 */
export function defaultLayout(adapter: Pick<AdapterSummary, 'software'>, trials: number): MesoGpuLayout {
  return adapter.software && trials >= 16 ? 'trials' : 'lanes';
}

/** The WGSL of a layout: LANES, the memory of the lanes' sums, the barriers and the entry point. */
function layoutPart(layout: MesoGpuLayout): WgslPart {
  const sums = `// Per lane, the population spikes of its block of bins weighted by the effective kernel at the
// step's start and end (quasi-renewal adaptation); lanes then sum those of older blocks.
var<SPACE> block_spikes: array<vec2<f32>, LANES>;
// Per lane, SUM_VECTORS vectors: its bins' sums (Σm, Σv, ΣP·m, ΣP·v) and (Σm·V at the step start),
// then SUMS_PER_TRACK per age-resolved STP track (TRACK_SUMS in all); summed by lane 0. Two banks
// by population parity: population p + 1 writes its sums while lane 0 may still read p's, and
// p + 2 writes only after the barrier of p + 1, which lane 0 reaches once it is done with p.
var<SPACE> bin_sums: array<vec4<f32>, 2u * LANES * SUM_VECTORS>;
`;
  const code =
    layout === 'lanes'
      ? `// Lanes per trial: lanesFor in mesoStep.ts.
override LANES: u32;
${sums.replaceAll('SPACE', 'workgroup')}
// The state lane 0 writes, the others read after the barrier (and the reverse).
fn sync_state() {
  storageBarrier();
  workgroupBarrier();
}
fn sync_lanes() {
  workgroupBarrier();
}
@compute @workgroup_size(LANES)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  run_trial(wid.x, lid);
}
`
      : `// One lane per trial: the sums are the invocation's own, and nobody waits for anybody.
const LANES = 1u;
${sums.replaceAll('SPACE', 'private')}
fn sync_state() {}
fn sync_lanes() {}
@compute @workgroup_size(${TRIALS_PER_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  // The last workgroup's invocations beyond the batch have no trial (no barrier follows).
  if (gid.x < P.trials) {
    run_trial(gid.x, 0u);
  }
}
`;
  return { name: `src/meso/gpu/kernels/mesoStep.ts (layout '${layout}')`, code };
}

/** Adaptation kernels a meso-gpu population carries (vec4s in MesoPop), as micro-gpu's neurons (support.ts refuses more). */
export const MAX_MESO_GPU_ADAPTATION_KERNELS = MAX_GPU_ADAPTATION_KERNELS;
/**
 * A population's per-trial scalars, after its 5K bin values (m, v, V, n/N of the step that opened
 * the bin, and the queue of occupied slots), in this order: the lumped class, the ring's head, the
 * step's counts, the lumped class's thresholds at the step's start and end, the queue's start and
 * length, and the traces of spikes older than the bins.
 */
export const POP_SCALARS = {
  SCALAR_M_FREE: 0,
  SCALAR_VAR_FREE: 1,
  SCALAR_V_FREE: 2,
  SCALAR_HEAD: 3,
  SCALAR_COUNT: 4,
  SCALAR_EXPECTED: 5,
  SCALAR_FREE_THETA: 6,
  SCALAR_OCC_START: 8,
  SCALAR_OCC_LEN: 9,
  SCALAR_TRACE: 10,
} as const;
export const POP_SCALAR_COUNT = POP_SCALARS.SCALAR_TRACE + MAX_MESO_GPU_ADAPTATION_KERNELS;
/** Age-resolved STP tracks (`--stp age`) per neuron population: the reduction's workgroup memory holds this many. */
export const MAX_TRACKS = 2;
/** A track's sums per lane: P·m-weighted, P·v-weighted (u⁺, x, u⁺x, E[x²]) and m-weighted (u, x). */
export const SUMS_PER_TRACK = 3;
/** A population's sums per lane: (Σm, Σv, ΣP·m, ΣP·v) and (Σm·V, unused ×3). */
export const POP_SUMS = 2;
/** Vectors of sums per lane: the population's, then each track's. */
const SUM_VECTORS = POP_SUMS + SUMS_PER_TRACK * MAX_TRACKS;
/** A track's scalars, after its 3K bin values (u, x, E[x²]), in this order. */
export const TRACK_SCALARS = {
  TRACK_U_FREE: 0,
  TRACK_X_FREE: 1,
  TRACK_X2_FREE: 2,
  TRACK_SPIKE_U: 3,
  TRACK_SPIKE_X: 4,
  TRACK_SPIKE_W: 5,
  TRACK_SPIKE_X2: 6,
  TRACK_MEAN_U: 7,
  TRACK_MEAN_X: 8,
} as const;
export const TRACK_SCALAR_COUNT = 9;
/** A projection's moments: the MF2 layout of src/synapse/stpMoments.ts ([E[x], E[x²]] for depression). */
export const MOMENT_COUNT = 5;

export const MesoParams = wgslStruct('MesoParams', {
  step0: 'u32',
  steps: 'u32',
  trial0: 'u32',
  /** Trials of the batch (the \`trials\` layout's bound). */
  trials: 'u32',
  seed: 'u32',
  pops: 'u32',
  projs: 'u32',
  bin_steps: 'u32',
  total_bins: 'u32',
  state_stride: 'u32',
  rec_stride: 'u32',
  count_word: 'u32',
  noise_word: 'u32',
  realised: 'u32',
  dt: 'f32',
  inv_bin_steps: 'f32',
});

export const MesoPop = wgslStruct('MesoPop', {
  kind: 'u32',
  n: 'u32',
  n_f: 'f32',
  k: 'u32',
  refractory: 'u32',
  bins_off: 'u32',
  scalars_off: 'u32',
  stream: 'u32',
  decay_m: 'f32',
  c: 'f32',
  inv_delta_u: 'f32',
  u_th: 'f32',
  u_reset: 'f32',
  tau_m: 'f32',
  record_input: 'u32',
  sampled: 'u32',
  activity_off: 'u32',
  input_mean_off: 'u32',
  input_sampled_off: 'u32',
  tracks: 'u32',
  track0: 'u32',
  track1: 'u32',
  conductance_input: 'u32',
  rest_potential: 'f32',
  adapt_kernels: 'u32',
  theta_off: 'u32',
  adapt_decay: 'vec4<f32>',
  adapt_kick_k: 'vec4<f32>',
});

export const MesoProj = wgslStruct('MesoProj', {
  pre: 'u32',
  post: 'u32',
  ring_slots: 'u32',
  channels: 'u32',
  filter_code: 'u32',
  shared_noise: 'u32',
  stp: 'u32',
  second_order: 'u32',
  u_param: 'f32',
  u0: 'f32',
  tau_d: 'f32',
  tau_f: 'f32',
  decay_d: 'f32',
  decay_f: 'f32',
  in_degree: 'f32',
  scale: 'f32',
  out_scale: 'f32',
  coupling: 'u32',
  k0: 'f32',
  k1: 'f32',
  exp_decay: 'f32',
  gg: 'f32',
  hg: 'f32',
  hh: 'f32',
  ring_off: 'u32',
  g_off: 'u32',
  h_off: 'u32',
  delta_off: 'u32',
  u_off: 'u32',
  x_off: 'u32',
  moments_off: 'u32',
  stp_vars: 'u32',
  stp_rec_off: 'u32',
  track: 'u32',
  track_off: 'u32',
  conductance: 'u32',
  e_rev: 'f32',
  mg: 'f32',
  // An element of a uniform array is a multiple of 16 bytes long (152 → 160).
  pad0: 'u32',
  pad1: 'u32',
});

export type MesoPopValues = Parameters<typeof MesoPop.pack>[0];
export type MesoProjValues = Parameters<typeof MesoProj.pack>[0];

/**
 * The kernel's pipeline-overridable switches: MACRO_LIMIT (n = n̄, no noise: the N → ∞ check) and a
 * feature flag per optional part of the step (plan.ts MesoGpuFeatures), so that a network's kernel
 * holds the code of what it uses only.
 */
export const MESO_STEP_SWITCHES = [
  'MACRO_LIMIT',
  'USE_NEURONS',
  'USE_ADAPTATION',
  'USE_TRACKS',
  'USE_CONDUCTANCE',
  'USE_LIF',
  'USE_TM',
  'USE_SECOND_ORDER',
  'USE_DELTA',
  'USE_DUAL',
  'USE_SAMPLED',
] as const;
export type MesoStepSwitch = (typeof MESO_STEP_SWITCHES)[number];

const MESO_STEP_COMMON: readonly WgslPart[] = [
  wgslConstants('model codes (src/compile/codes.ts)', MODEL_CODES),
  wgslConstants('meso-gpu layout (src/meso/gpu/kernels/mesoStep.ts)', {
    ...POP_SCALARS,
    ...TRACK_SCALARS,
    MAX_TRACKS,
    SUMS_PER_TRACK,
    POP_SUMS,
    TRACK_SUMS: SUMS_PER_TRACK * MAX_TRACKS,
    SUM_VECTORS,
    MAX_MESO_POPS: MAX_MESO_GPU_POPULATIONS,
    MAX_MESO_PROJS: MAX_MESO_GPU_PROJECTIONS,
  }),
  PHILOX_WGSL,
  BINOMIAL_WGSL,
  { name: 'src/meso/gpu/kernels/mesoStep.ts (switches)', code: MESO_STEP_SWITCHES.map((name) => `override ${name}: bool;\n`).join('') },
  MesoParams.part,
  MesoPop.part,
  MesoProj.part,
  { name: 'src/meso/gpu/kernels/stpMeanField.wgsl', code: stpCode },
  { name: 'src/meso/gpu/kernels/mesoStep.wgsl', code },
];

/** The WGSL parts of the step kernel in a layout. */
export function mesoStepParts(layout: MesoGpuLayout): readonly WgslPart[] {
  return [...MESO_STEP_COMMON, layoutPart(layout)];
}
