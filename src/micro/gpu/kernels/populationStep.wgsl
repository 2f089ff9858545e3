// Step 3 of docs/step-semantics.md for one population, one invocation per (trial, block of four neurons):
// the input assembled by projectionInput.wgsl, the exact membrane update, adaptation, the
// Philox spike draw (the same numbers as the CPU engine), and the spike bookkeeping: the
// compacted spike list that propagate.wgsl reads, activity counts, and spike records.

override MODEL: u32;        // NEURON_POISSON, NEURON_GLIF (escape-noise LIF) or NEURON_LIF (deterministic)
override K_ADAPT: u32 = 0u; // adaptation kernels, ≤ 4
override HAS_INPUT: bool = false;
override RECORD_MEAN: bool = false;

// PopParams: populationStep.ts.
@group(0) @binding(0) var<uniform> P: PopParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
// V [T·N], then the adaptation variables [T·N·K].
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<storage, read_write> refr: array<u32>;
// Rows of T·N (ACC_*, src/micro/gpu/layout.ts).
@group(0) @binding(4) var<storage, read_write> acc: array<f32>;
@group(0) @binding(5) var<storage, read_write> spikes: array<u32>;
@group(0) @binding(6) var<storage, read_write> activity: array<atomic<u32>>;
@group(0) @binding(7) var<storage, read_write> sampled: array<f32>;
@group(0) @binding(8) var<storage, read_write> spikeRec: array<u32>;

fn emit_spike(k: u32, b: u32, i: u32, n: u32, bin: u32) {
  let slot = atomicAdd(&ctl[CTL_SPIKE_COUNTS + P.pop], 1u);
  spikes[slot] = k;
  if (bin < P.totalBins) {
    atomicAdd(&activity[b * P.totalBins + bin], 1u);
  }
  if (i < P.recordSpikes) {
    let r = atomicAdd(&ctl[CTL_RECORDED], 1u);
    if (r < P.spikeCap) {
      spikeRec[SPIKE_RECORD_WORDS * r] = P.pop;
      spikeRec[SPIKE_RECORD_WORDS * r + 1u] = b;
      spikeRec[SPIKE_RECORD_WORDS * r + 2u] = i;
      spikeRec[SPIKE_RECORD_WORDS * r + 3u] = n;
    }
  }
}

// One Philox block serves four consecutive neurons (word i mod 4), as in the CPU engine: one
// invocation runs the four neurons of a block and computes the block once, only if one of them draws.
struct Draw {
  words: vec4<u32>,
  done: bool,
}

fn spike_uniform(d: ptr<function, Draw>, i: u32, n: u32, trial: u32) -> f32 {
  if (!(*d).done) {
    (*d).words = philox4x32_10(vec4<u32>(i >> 2u, n, trial, P.spikeWord), vec2<u32>(P.seed, P.pop));
    (*d).done = true;
  }
  return philox_uniform((*d).words[i & 3u]);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blocks = (P.N + 3u) / 4u;
  let q = grid_workgroup_index(wid, nwg) * WG + lid;
  if (q >= P.T * blocks) { return; }
  let b = q / blocks;
  let i0 = 4u * (q - b * blocks);
  let n = atomicLoad(&ctl[CTL_STEP]);
  let drive = bitcast<f32>(atomicLoad(&ctl[P.driveOffset + (n - atomicLoad(&ctl[CTL_CHUNK_START])) * P.popCount + P.pop]));
  var draw: Draw;
  draw.done = false;
  for (var i = i0; i < min(i0 + 4u, P.N); i++) {
    neuron_step(&draw, b, i, n, drive);
  }
}

fn neuron_step(draw: ptr<function, Draw>, b: u32, i: u32, n: u32, drive: f32) {
  let TN = P.T * P.N;
  let k = b * P.N + i;
  let trial = P.trialFrom + b;
  let bin = n / P.binSteps;

  if (MODEL == NEURON_POISSON) {
    if (drive > 0.0 && spike_uniform(draw, i, n, trial) < drive) { emit_spike(k, b, i, n, bin); }
    return;
  }

  let v = state[k];
  var ic = 0.0;
  var g = 0.0;
  var ge = 0.0;
  var kicks = 0.0;
  if (HAS_INPUT) {
    ic = acc[ACC_I_CUR * TN + k];
    g = acc[ACC_G * TN + k];
    ge = acc[ACC_GE * TN + k];
    kicks = acc[ACC_KICKS * TN + k];
    acc[ACC_I_CUR * TN + k] = 0.0;
    acc[ACC_G * TN + k] = 0.0;
    acc[ACC_GE * TN + k] = 0.0;
    acc[ACC_KICKS * TN + k] = 0.0;
  }
  let inputNow = ic + ge - g * v + P.deltaToInput * kicks;
  if (bin < P.totalBins) {
    if (i < P.recordInputs) {
      let r = (b * P.recordInputs + i) * P.totalBins + bin;
      sampled[r] = sampled[r] + inputNow / f32(P.binSteps);
    }
    if (RECORD_MEAN) { acc[ACC_INPUT * TN + k] = inputNow; }
  }

  var theta0 = P.uTh;
  var theta1 = P.uTh;
  for (var q = 0u; q < K_ADAPT; q++) {
    let idx = TN + k * K_ADAPT + q;
    let a = state[idx];
    theta0 += a;
    let a1 = a * P.adaptDecay[q];
    state[idx] = a1;
    theta1 += a1;
  }
  let r = refr[k];
  if (r > 0u) {
    refr[k] = r - 1u;
    return;
  }

  var vNext: f32;
  if (g != 0.0) {
    let lam = 1.0 + g;
    let vInf = (drive + ic + ge) / lam;
    vNext = vInf + (v - vInf) * exp(-(P.dt * lam) / P.tauM);
  } else {
    let vInf = drive + ic;
    vNext = vInf + (v - vInf) * P.decayM;
  }
  var spike: bool;
  if (MODEL == NEURON_LIF) {
    spike = vNext >= P.uTh;
  } else {
    let lamSum = P.c * (exp((v - theta0) * P.invDeltaU) + exp((vNext - theta1) * P.invDeltaU));
    spike = spike_uniform(draw, i, n, trial) < -expm1_f32(-0.5 * P.dt * lamSum);
  }
  if (spike) {
    state[k] = P.uReset;
    refr[k] = P.refSteps;
    for (var q = 0u; q < K_ADAPT; q++) {
      let idx = TN + k * K_ADAPT + q;
      state[idx] = state[idx] + P.adaptKick[q];
    }
    emit_spike(k, b, i, n, bin);
  } else {
    state[k] = vNext;
  }
}
