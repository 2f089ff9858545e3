// The spike draws of docs/step-semantics.md step 3, shared by populationStep.wgsl (one dispatch per
// population) and the resident kernel (resident.ts): the same Philox words and comparisons as the
// CPU engine, so every schedule draws the CPU engine's spike trains; and the spike records both
// write. The including kernel binds the control buffer as `ctl: array<atomic<u32>>` (the event
// scheme's CDF tables and the record counter live there) and `spikeRec: array<u32>`.

// One Philox block serves four consecutive neurons (word i mod 4), as in the CPU engine: the
// invocation that runs the four neurons of a block computes it once, only if one of them draws.
struct Draw {
  words: vec4<u32>,
  done: bool,
}

fn block_uniform(d: ptr<function, Draw>, i: u32, n: u32, trial: u32, word: u32, seed: u32, pop: u32) -> f32 {
  if (!(*d).done) {
    (*d).words = philox4x32_10(vec4<u32>(i >> 2u, n, trial, word), vec2<u32>(seed, pop));
    (*d).done = true;
  }
  return philox_uniform((*d).words[i & 3u]);
}

// The escape-noise hazard at both ends of the step: P = 1 − exp(−dt(λ_start + λ_end)/2).
fn glif_spike_probability(v: f32, vNext: f32, theta0: f32, theta1: f32, c: f32, invDeltaU: f32, dt: f32) -> f32 {
  let lamSum = c * (exp((v - theta0) * invDeltaU) + exp((vNext - theta1) * invDeltaU));
  return -expm1_f32(-0.5 * dt * lamSum);
}

// The event scheme of src/rng/poissonEvents.ts (drawPoissonEvents, word for word): the neurons of
// an N-neuron population that spike in step n of `trial`, in increasing order, into `chosen`;
// returns how many. The step's CDF table sits in ctl at `table` as [length, F(0), F(1), …].
fn draw_poisson_events(table: u32, N: u32, seed: u32, pop: u32, word: u32, n: u32, trial: u32, chosen: ptr<function, array<u32, POISSON_EVENTS_MAX_K>>) -> u32 {
  let len = atomicLoad(&ctl[table]);
  if (len == 0u) { return 0u; }
  let key = vec2<u32>(seed, pop);
  var blockIndex = 0u;
  var words = philox4x32_10(vec4<u32>(0u, n, trial, word), key);
  let u = philox_uniform(words[0]);
  var K = 0u;
  while (K < len && u >= bitcast<f32>(atomicLoad(&ctl[table + 1u + K]))) { K++; }
  // Lemire: the high word of w·N is uniform on [0, N) once low words below (2³² − N) mod N are rejected.
  let reject = (0u - N) % N;
  var lane = 1u;
  var m = 0u;
  while (m < K) {
    if (lane == 4u) {
      blockIndex++;
      words = philox4x32_10(vec4<u32>(blockIndex, n, trial, word), key);
      lane = 0u;
    }
    let w = words[lane];
    lane++;
    if (w * N < reject) { continue; }
    let i = philox_mulhi(w, N);
    var j = m;
    while (j > 0u && (*chosen)[j - 1u] > i) { j--; }
    if (j > 0u && (*chosen)[j - 1u] == i) { continue; }
    for (var t = m; t > j; t--) { (*chosen)[t] = (*chosen)[t - 1u]; }
    (*chosen)[j] = i;
    m++;
  }
  return K;
}

// Appends the record [population, trial, neuron, step] of a spike, unless the chunk's `cap`
// records are written (the host sizes chunks so that they never are, allocate.ts).
fn record_spike(cap: u32, pop: u32, b: u32, i: u32, n: u32) {
  let r = atomicAdd(&ctl[CTL_RECORDED], 1u);
  if (r < cap) {
    spikeRec[SPIKE_RECORD_WORDS * r] = pop;
    spikeRec[SPIKE_RECORD_WORDS * r + 1u] = b;
    spikeRec[SPIKE_RECORD_WORDS * r + 2u] = i;
    spikeRec[SPIKE_RECORD_WORDS * r + 3u] = n;
  }
}
