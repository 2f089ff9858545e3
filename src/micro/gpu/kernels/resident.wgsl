// The resident schedule (docs/gpu-engine.md, "Resident mode"): one workgroup per trial advances
// a whole chunk of steps in one dispatch, with workgroup barriers between the phases of a step
// instead of dispatch boundaries. Everything network-specific (sizes, offsets, parameters, the
// population and projection phases) is generated in front of this file by resident.ts from the
// same plan as the per-step kernels; the state lives in three arenas laid out as those kernels'
// buffers (F: float, U: u32, A: atomic), so the phases index it exactly as they do.

@group(0) @binding(0) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> F: array<f32>;
@group(0) @binding(2) var<storage, read_write> U: array<u32>;
@group(0) @binding(3) var<storage, read_write> A: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> spikeRec: array<u32>;
// The batch: its trials and the global index of its first (the Philox trial counter).
struct ResidentParams {
  T: u32,
  trialFrom: u32,
}
@group(0) @binding(5) var<uniform> R: ResidentParams;

// This trial's spikes of the step, each population in its own range (SPIKE_LIST_*), counted in
// two banks by step parity: the phase that fills one bank never meets the reset of the other.
var<workgroup> spikeList: array<u32, SPIKE_SLOTS>;
var<workgroup> spikeCount: array<atomic<u32>, SPIKE_BANKS>;
var<workgroup> partial: array<vec3<f32>, RWG>;
// Each invocation's share of the step's input sum, RWG per population whose input mean is recorded.
var<workgroup> inputPartial: array<f32, MEAN_SLOTS>;
var<workgroup> wgStart: u32;
var<workgroup> wgSteps: u32;

// Σ over the workgroup of each invocation's x: the partial sums in workgroup memory, added by
// invocation 0 in order (two barriers, where a tree takes log2(RWG) + 1: barriers are what a
// workgroup step costs on CPU-emulated adapters). Called in uniform control flow only; the total
// is valid in invocation 0.
fn workgroup_sum(lid: u32, x: vec3<f32>) -> vec3<f32> {
  partial[lid] = x;
  workgroupBarrier();
  var total = vec3<f32>(0.0);
  if (lid == 0u) {
    for (var i = 0u; i < RWG; i++) { total += partial[i]; }
  }
  workgroupBarrier();
  return total;
}

// A spike of neuron i of population `pop` (trial b, step n): into the trial's list, the activity
// counts, and the spike records (the same records as populationStep.wgsl's emit_spike).
fn emit(pop: u32, listStart: u32, bank: u32, activity: u32, recordSpikes: u32, b: u32, i: u32, n: u32) {
  let slot = atomicAdd(&spikeCount[2u * pop + bank], 1u);
  spikeList[listStart + slot] = i;
  let bin = n / BIN_STEPS;
  if (bin < TOTAL_BINS) {
    atomicAdd(&A[activity + b * TOTAL_BINS + bin], 1u);
  }
  if (i < recordSpikes) {
    record_spike(SPIKE_RECORD_CAPACITY, pop, b, i, n);
  }
}

// Adds a fixed-point event to the ring (ringFixedPoint.ts), as propagate.wgsl's add_event.
fn add_event(at: u32, a: f32) {
  atomicAdd(&A[at], bitcast<u32>(i32(round(a))));
}

// Takes the events due in ring word `at` out of the ring, as a float.
fn take_events(at: u32, invScale: f32) -> f32 {
  let raw = bitcast<i32>(atomicLoad(&A[at]));
  if (raw == 0) { return 0.0; }
  atomicStore(&A[at], 0u);
  return f32(raw) * invScale;
}

@compute @workgroup_size(RWG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = grid_workgroup_index(wid, nwg);
  if (lid == 0u) {
    wgStart = atomicLoad(&ctl[CTL_STEP]);
    wgSteps = atomicLoad(&ctl[CTL_CHUNK_STEPS]);
  }
  if (lid < SPIKE_BANKS) { atomicStore(&spikeCount[lid], 0u); }
  let n0 = workgroupUniformLoad(&wgStart);
  let steps = workgroupUniformLoad(&wgSteps);
  if (b >= R.T) { return; }
  // Every binding is used, so that the automatic layout has all six whatever the network uses.
  if (R.T == 0xffffffffu) {
    F[0] = 0.0;
    U[0] = 0u;
    atomicStore(&A[0], 0u);
    spikeRec[0] = 0u;
  }
  for (var k = 0u; k < steps; k++) {
    resident_step(b, lid, n0 + k, k);
  }
}
