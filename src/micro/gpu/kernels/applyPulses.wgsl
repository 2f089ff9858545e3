// After every delta delivery of a step, in a population that receives instantaneous conductance
// pulses (docs/step-semantics.md, step 1): each neuron's current kicks, unblocked and blocked
// pulses act together (pulse_step, pulseJump.wgsl). The recorded delta input becomes the jump.
// acc rows (of T·N, src/micro/gpu/layout.ts): ACC_KICKS current kicks (then the jump), ACC_W, ACC_WE,
// ACC_BLOCKED + k the blocked pulses k.

override BLOCKED: u32 = 0u;  // blocked pulse projections, ≤ 4

// PulseParams: applyPulses.ts.
@group(0) @binding(0) var<uniform> P: PulseParams;
@group(0) @binding(1) var<storage, read_write> state: array<f32>;
@group(0) @binding(2) var<storage, read_write> refr: array<u32>;
@group(0) @binding(3) var<storage, read_write> acc: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = grid_workgroup_index(wid, nwg) * WG + lid;
  let TN = P.TN;
  if (k >= TN) { return; }
  var w = vec4<f32>(0.0);
  for (var q = 0u; q < BLOCKED; q++) { w[q] = acc[(ACC_BLOCKED + q) * TN + k]; }
  let jump = pulse_step(state[k], refr[k] == 0u, acc[ACC_KICKS * TN + k], acc[ACC_W * TN + k], acc[ACC_WE * TN + k], w, BLOCKED, P.rest, P.E, P.mg);
  state[k] = jump.x;
  acc[ACC_KICKS * TN + k] = jump.y;
  acc[ACC_W * TN + k] = 0.0;
  acc[ACC_WE * TN + k] = 0.0;
  for (var q = 0u; q < BLOCKED; q++) { acc[(ACC_BLOCKED + q) * TN + k] = 0.0; }
}
