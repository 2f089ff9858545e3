// What the kernels that run a whole network over the arenas share (the resident kernel and the
// fused kernel, kernels/resident.ts and kernels/fused.ts): the bindings, and the ring and spike
// bookkeeping of every schedule. The state lives in three arenas laid out as the per-step
// kernels' buffers (F: float, U: u32, A: atomic); networkPhases.ts generates the phases that
// index them, in front of this file's users.

@group(0) @binding(0) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> F: array<f32>;
@group(0) @binding(2) var<storage, read_write> U: array<u32>;
@group(0) @binding(3) var<storage, read_write> A: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> spikeRec: array<u32>;
// The batch (ArenaParams, networkPhases.ts).
@group(0) @binding(5) var<uniform> R: ArenaParams;

// A spike of neuron i of population `pop` (trial b, step n) into the activity counts and the
// spike records (the same records as populationStep.wgsl's emit_spike).
fn count_spike(pop: u32, activity: u32, recordSpikes: u32, b: u32, i: u32, n: u32) {
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

// Takes the word in ring word `at` out of the ring (a value stored whole, not events: synY's output stage bits).
fn take_word(at: u32) -> u32 {
  let raw = atomicLoad(&A[at]);
  if (raw == 0u) { return 0u; }
  atomicStore(&A[at], 0u);
  return raw;
}
