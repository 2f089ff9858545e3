// Step 3 of docs/step-semantics.md for one population, one invocation per (trial, block of four neurons):
// the input assembled by projectionInput.wgsl, the exact membrane update, adaptation, the
// Philox spike draw (the same numbers as the CPU engine), and the spike bookkeeping: the
// compacted spike list that propagate.wgsl reads, activity counts, and spike records. A sparse
// Poisson population draws by the event scheme instead, one invocation per trial.

override MODEL: u32;        // NEURON_POISSON, NEURON_GLIF (escape-noise LIF) or NEURON_LIF (deterministic)
override K_ADAPT: u32 = 0u; // adaptation kernels, ≤ 4
override HAS_INPUT: bool = false;
override RECORD_MEAN: bool = false;
// A Poisson population drawn by the event scheme (src/rng/poissonEvents.ts): one invocation per
// trial, O(1 + spikes) Philox blocks per step instead of one per four neurons.
override EVENTS: bool = false;

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
    record_spike(P.spikeCap, P.pop, b, i, n);
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = atomicLoad(&ctl[CTL_STEP]);
  let driveWord = atomicLoad(&ctl[P.driveOffset + (n - atomicLoad(&ctl[CTL_CHUNK_START])) * P.popCount + P.pop]);
  if (EVENTS) {
    let b = grid_workgroup_index(wid, nwg) * WG + lid;
    if (b < P.T) { poisson_events(b, n, driveWord); }
    return;
  }
  let blocks = (P.N + 3u) / 4u;
  let q = grid_workgroup_index(wid, nwg) * WG + lid;
  if (q >= P.T * blocks) { return; }
  let b = q / blocks;
  let i0 = 4u * (q - b * blocks);
  let drive = bitcast<f32>(driveWord);
  var draw: Draw;
  draw.done = false;
  for (var i = i0; i < min(i0 + 4u, P.N); i++) {
    neuron_step(&draw, b, i, n, drive);
  }
}

// The event scheme's draws for trial b in step n (spikeDraw.wgsl).
fn poisson_events(b: u32, n: u32, table: u32) {
  var chosen: array<u32, POISSON_EVENTS_MAX_K>;
  let K = draw_poisson_events(table, P.N, P.seed, P.pop, P.eventWord, n, P.trialFrom + b, &chosen);
  let bin = n / P.binSteps;
  for (var t = 0u; t < K; t++) {
    emit_spike(b * P.N + chosen[t], b, chosen[t], n, bin);
  }
}

fn neuron_step(draw: ptr<function, Draw>, b: u32, i: u32, n: u32, drive: f32) {
  let TN = P.T * P.N;
  let k = b * P.N + i;
  let trial = P.trialFrom + b;
  let bin = n / P.binSteps;

  if (MODEL == NEURON_POISSON) {
    if (drive > 0.0 && block_uniform(draw, i, n, trial, P.spikeWord, P.seed, P.pop) < drive) { emit_spike(k, b, i, n, bin); }
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
    spike = block_uniform(draw, i, n, trial, P.spikeWord, P.seed, P.pop) < glif_spike_probability(v, vNext, theta0, theta1, P.c, P.invDeltaU, P.dt);
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
