// Steps 1–2 of docs/step-semantics.md for one projection, one invocation per (trial,
// postsynaptic neuron): take the events due now out of the delay ring (fixed-point integers,
// see src/micro/gpu/ringFixedPoint.ts), kick the filter, add the filter's value at t_n to the
// neuron's input sums, advance the filter exactly to t_{n+1}.
// Delta projections run before all others (their kicks move V, which an NMDA block reads).

override INPUT: u32;         // what the ring holds: INPUT_* (src/micro/gpu/layout.ts)
override STAGES: u32 = 0u;   // INPUT_FILTER: the filter stages kicked by the events, 1–3
                             // (exponential; dual exponential/alpha; three-state cascade)
override CONDUCTANCE: bool = false;
override MG_BLOCK: bool = false;
// Delta projections into a population that receives conductance pulses: every delta event is
// collected (acc rows ACC_KICKS, ACC_W, ACC_WE, ACC_BLOCKED + k) for applyPulses.wgsl instead of
// moving V here.
override DEFERRED: bool = false;
// run.integration 'exact': the current held over the step couples every stage (P.coupling), so
// that the membrane step is exact (docs/step-semantics.md).
override EXACT: bool = false;

// InputParams: projectionInput.ts.
@group(0) @binding(0) var<uniform> P: InputParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> ring: array<atomic<i32>>;
@group(0) @binding(3) var<storage, read_write> stages: array<f32>;
@group(0) @binding(4) var<storage, read_write> state: array<f32>;  // the postsynaptic V first
@group(0) @binding(5) var<storage, read_write> refr: array<u32>;
@group(0) @binding(6) var<storage, read_write> acc: array<f32>;

fn conductance_input(k: u32, TN: u32, gk: f32) {
  if (gk == 0.0) { return; }
  var gb = gk;
  if (MG_BLOCK) {
    // NMDA block of Jahr & Stevens (1990), src/synapse/filters.ts nmdaBlock, at the absolute potential.
    gb = gk / (1.0 + exp(-0.062 * (state[k] + P.rest)) * (P.mg / 3.57));
  }
  acc[ACC_G * TN + k] += gb;
  acc[ACC_GE * TN + k] += gb * P.E;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = grid_workgroup_index(wid, nwg) * WG + lid;
  let TN = P.slotLen;
  if (k >= TN) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let ri = (n % P.slots) * TN + k;
  let raw = atomicLoad(&ring[ri]);
  var kick = 0.0;
  if (raw != 0) {
    atomicStore(&ring[ri], 0);
    kick = f32(raw) * P.invScale;
  }
  if (INPUT == INPUT_DELTA) {
    if (raw != 0) {
      if (!CONDUCTANCE) {
        acc[ACC_KICKS * TN + k] += kick;
        // A refractory neuron loses the event (it is still recorded as input).
        if (!DEFERRED && refr[k] == 0u) { state[k] = state[k] + kick; }
      } else if (MG_BLOCK) {
        acc[P.pulseRow * TN + k] += kick;
      } else {
        acc[ACC_W * TN + k] += kick;
        acc[ACC_WE * TN + k] += kick * P.E;
      }
    }
    return;
  }
  if (INPUT == INPUT_KINETIC) {
    conductance_input(k, TN, kick);
    return;
  }
  if (INPUT == INPUT_SYN_Y || INPUT == INPUT_SYN_Y_STAGES) {
    var value = kick;
    if (INPUT == INPUT_SYN_Y_STAGES) { value = bitcast<f32>(raw); }
    if (!CONDUCTANCE) {
      acc[ACC_I_CUR * TN + k] += P.outScale * value;
    } else {
      conductance_input(k, TN, P.outScale * value);
    }
    return;
  }
  // INPUT_FILTER: stage 0 kicked, stage STAGES − 1 the output.
  let s0 = stages[k] + kick;
  var s1 = 0.0;
  var s2 = 0.0;
  if (STAGES > 1u) { s1 = stages[TN + k]; }
  if (STAGES > 2u) { s2 = stages[2u * TN + k]; }
  var out = s0;
  if (STAGES == 2u) { out = s1; }
  if (STAGES == 3u) { out = s2; }
  let gk = P.outScale * out;
  if (EXACT) {
    acc[ACC_I_CUR * TN + k] += P.coupling.x * s0 + P.coupling.y * s1 + P.coupling.z * s2;
  } else if (!CONDUCTANCE) {
    acc[ACC_I_CUR * TN + k] += gk;
  } else {
    conductance_input(k, TN, gk);
  }
  stages[k] = P.p0.x * s0;
  if (STAGES > 1u) { stages[TN + k] = P.p1.x * s0 + P.p1.y * s1; }
  if (STAGES > 2u) { stages[2u * TN + k] = P.p2.x * s0 + P.p2.y * s1 + P.p2.z * s2; }
}
