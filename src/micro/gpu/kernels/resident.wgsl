// The resident schedule (docs/gpu-engine.md, "Resident mode"): one workgroup per trial advances
// a whole chunk of steps in one dispatch, with workgroup barriers between the phases of a step
// instead of dispatch boundaries. Everything network-specific (sizes, offsets, parameters, the
// population and projection phases) is generated in front of this file by resident.ts from the
// same plan as the per-step kernels; bindings and bookkeeping are arena.wgsl's.

// This trial's spikes of the step, each population in its own range (SPIKE_LIST_*), counted in
// two banks by step parity: the phase that fills one bank never meets the reset of the other.
var<workgroup> spikeList: array<u32, SPIKE_SLOTS>;
var<workgroup> spikeCount: array<atomic<u32>, SPIKE_BANKS>;
// Each invocation's share of the step's input sum, RWG per population whose input mean is recorded.
var<workgroup> inputPartial: array<f32, MEAN_SLOTS>;
var<workgroup> wgStart: u32;
var<workgroup> wgSteps: u32;

// A spike of neuron i of population `pop` (trial b, step n): into the trial's list, the activity
// counts and the spike records.
fn emit(pop: u32, listStart: u32, bank: u32, activity: u32, recordSpikes: u32, b: u32, i: u32, n: u32) {
  let slot = atomicAdd(&spikeCount[2u * pop + bank], 1u);
  spikeList[listStart + slot] = i;
  count_spike(pop, activity, recordSpikes, b, i, n);
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
