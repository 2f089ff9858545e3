// Kinetic receptors (two-state gates with a rectangular transmitter pulse, Destexhe, Mainen &
// Sejnowski 1994; src/synapse/kineticReceptor.ts is the float64 original). The gates live in
// presynaptic time: a spike of step m starts its pulse at t_m, and the gates' exact step means
// over [t_m, t_{m+1}] go into delay-ring slot m + d, which projectionInput.wgsl reads as the
// conductance of step m + d. Since the gates are driven by the presynaptic spikes alone, this is
// the CPU engine's delayed pulse (starting at t_m + delay) exactly, shifted by d steps.
// Gates per presynaptic neuron (homogeneous STP: every synapse of j sees the same efficacy) or
// per synapse (heterogeneous STP), [s | Tmax·w | pulse time left] in rows of nGates.

override STP: u32 = STP_NONE;
override PER_SYNAPSE: bool = false;
override HET_WEIGHT: bool = false;

// KineticParams: kinetic.ts.
@group(0) @binding(0) var<uniform> P: KineticParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> spikes: array<u32>;
@group(0) @binding(3) var<storage, read_write> ring: array<atomic<i32>>;
@group(0) @binding(4) var<storage, read> csr: array<u32>;
@group(0) @binding(5) var<storage, read> syn: array<f32>;
@group(0) @binding(6) var<storage, read_write> stp: array<f32>;
@group(0) @binding(7) var<storage, read_write> last: array<u32>;
@group(0) @binding(8) var<storage, read_write> gates: array<f32>;

fn start_pulse(g: u32, w: f32) {
  gates[P.nGates + g] = P.Tmax * w;
  gates[2u * P.nGates + g] = P.pulseDuration;
}

// After the populations' step: every spike starts (or restarts) the pulse of its gate(s).
@compute @workgroup_size(WG)
fn on_spike(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = grid_workgroup_index(wid, nwg) * WG + lid;
  if (q >= atomicLoad(&ctl[CTL_SPIKE_COUNTS + P.spikePop])) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  let spike = spikes[q];
  let b = spike / P.nPre;
  let j = spike - b * P.nPre;
  if (!PER_SYNAPSE) {
    start_pulse(spike, efficacy(spike, P.stp, n));
    return;
  }
  for (var s = csr[j]; s < csr[j + 1u]; s++) {
    start_pulse(b * P.nSyn + s, efficacy(b * P.nSyn + s, stp_params_of(s), n));
  }
}

// Every step, after on_spike: each gate advances exactly over [t_n, t_{n+1}] (gate_step,
// kineticGate.wgsl) and J·(∫s dt)/dt goes to its targets in ring slot n + d.
@compute @workgroup_size(WG)
fn advance(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = grid_workgroup_index(wid, nwg) * WG + lid;
  if (g >= P.nGates) { return; }
  let s = gates[g];
  let left = gates[2u * P.nGates + g];
  if (s == 0.0 && left <= 0.0) { return; }
  let r = gate_step(s, gates[P.nGates + g], left, P.dt, P.alpha, P.beta);
  gates[g] = r.x;
  if (left > 0.0) { gates[2u * P.nGates + g] = r.y; }
  let mean = r.z;
  if (mean == 0.0) { return; }
  let n = atomicLoad(&ctl[CTL_STEP]);
  var b: u32;
  var j: u32;
  var first: u32;
  var end: u32;
  if (PER_SYNAPSE) {
    b = g / P.nSyn;
    first = g - b * P.nSyn;
    end = first + 1u;
  } else {
    b = g / P.nPre;
    j = g - b * P.nPre;
    first = csr[b * P.csrStride + j];
    end = csr[b * P.csrStride + j + 1u];
  }
  let base = ((n + P.delay) % P.slots) * P.T * P.nPost + b * P.nPost;
  let targets = b * P.csrStride + P.nPre + 1u;
  for (var s2 = first; s2 < end; s2++) {
    var a = P.scaledWeight * mean;
    if (HET_WEIGHT) { a = syn[s2] * P.scale * mean; }
    atomicAdd(&ring[base + csr[targets + s2]], i32(round(a)));
  }
}
