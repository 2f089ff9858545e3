// The meso-gpu engine's step loop (docs/meso.md, "One step n"): a trial's invocations (a
// workgroup, or one invocation: the layouts below) run the chunk's steps one after another, so
// that trials, which never interact, need no synchronisation beyond a workgroup's own barriers, and
// a chunk of hundreds of steps is one dispatch. Within a trial the lanes share the work that grows
// with the network: the occupied age bins of a population (hazard, membrane, survival; their sums
// through workgroup memory) and the projections (filter, STP mean-field, synaptic noise, ring), one
// lane each. What is O(1) per population (the lumped class, the finite-size correction, the
// binomial draw, opening a bin) is lane 0's.
//
// Structs (MesoParams, MesoPop, MesoProj) and the layout constants are generated from
// mesoStep.ts; the state and recording layouts are plan.ts's.
//
// The USE_* overrides (plan.ts features) say which features the network has; a branch of a
// feature it lacks is false at pipeline creation, so the driver drops its code. On a software
// adapter that matters: llvmpipe runs a kernel this size at several times the cost per step when
// the code of every feature is in it, used or not (docs/meso-gpu.md, "Cost on a software adapter").

// LANES (lanes per trial), the sums' memory (block_spikes, bin_sums), the barriers (sync_state,
// sync_lanes) and the entry point, which calls run_trial, come from the layout's part in
// mesoStep.ts: a workgroup per trial whose lanes share the bins ("lanes"), or an invocation per
// trial with LANES = 1, private sums and no barriers ("trials").

@group(0) @binding(0) var<uniform> P: MesoParams;
@group(0) @binding(1) var<uniform> pops: array<MesoPop, MAX_MESO_POPS>;
@group(0) @binding(2) var<uniform> projs: array<MesoProj, MAX_MESO_PROJS>;
// Per step of the chunk and population: the drive μ(t_n) (neurons) or the probability to fire
// 1 − e^{−r(t_n)dt} (Poisson), evaluated on the host in float64.
@group(0) @binding(3) var<storage, read> drives: array<f32>;
@group(0) @binding(4) var<storage, read_write> state: array<f32>;
@group(0) @binding(5) var<storage, read_write> rec: array<f32>;
// Per neuron population with adaptation: θ_own(j) and the effective kernel Δu(1 − e^{−θ_own/Δu})
// for ages j = 0 … K + 1 (population.ts adaptationKernels), at theta_off and theta_off + K + 2.
@group(0) @binding(6) var<storage, read> kernels: array<f32>;

// The filter's output stage at the step start (g: exponential, dual exponential and alpha).
// Under run.integration 'exact' the input is the stages' coupling instead (compile/filter.ts).
fn current_input(pr: MesoProj, base: u32, c: u32) -> f32 {
  let g = state[base + pr.g_off + c];
  if (pr.coupling == 0u) {
    return pr.out_scale * g;
  }
  if (USE_DUAL && pr.filter_code == FILTER_DUAL) {
    return pr.k0 * state[base + pr.h_off + c] + pr.k1 * g;
  }
  return pr.k0 * g;
}

// The recorded input of step n (simulate.ts recordInput): the filters at t_n, delta kicks as
// τm·kick/dt, conductances as −g·B(V̄)(V̄ − E) at the population's mean potential V̄ at the step
// start; the population mean, then each sampled neuron's own channel.
fn record_input(p: u32, base: u32, rbase: u32, bin: u32, icur: f32, dkick: f32, mean_v: f32) {
  let pop = pops[p];
  let w = P.inv_bin_steps;
  var I = icur + pop.tau_m * dkick / P.dt;
  for (var q = 0u; q < P.projs; q++) {
    let pr = projs[q];
    if (USE_CONDUCTANCE && pr.post == p && pr.conductance != 0u) {
      let g = pr.out_scale * state[base + pr.g_off];
      I -= g * select(1.0, nmda_block(mean_v + pop.rest_potential, pr.mg), pr.mg > 0.0) * (mean_v - pr.e_rev);
    }
  }
  rec[rbase + pop.input_mean_off + bin] += I * w;
  for (var i = 0u; i < select(0u, pop.sampled, USE_SAMPLED); i++) {
    var ii = 0.0;
    for (var q = 0u; q < P.projs; q++) {
      let pr = projs[q];
      if (pr.post != p) {
        continue;
      }
      if (USE_DELTA && pr.filter_code == FILTER_DELTA) {
        ii += pop.tau_m * state[base + pr.delta_off + i + 1u] / P.dt;
      } else if (USE_CONDUCTANCE && pr.conductance != 0u) {
        let g = pr.out_scale * state[base + pr.g_off + i + 1u];
        ii -= g * select(1.0, nmda_block(mean_v + pop.rest_potential, pr.mg), pr.mg > 0.0) * (mean_v - pr.e_rev);
      } else {
        ii += current_input(pr, base, i + 1u);
      }
    }
    rec[rbase + pop.input_sampled_off + i * P.total_bins + bin] += ii * w;
  }
}

// NMDA-type Mg²⁺ block B(V) at the absolute potential V (synapse/filters.ts nmdaBlock).
fn nmda_block(v: f32, mg: f32) -> f32 {
  return 1.0 / (1.0 + exp(-0.062 * v) * (mg / 3.57));
}

// The conductance input of population p's channel c: Σ g·B and Σ g·B·E over its conductance
// projections, with the block at v0 (potential relative to rest).
fn conductances(pop: MesoPop, p: u32, base: u32, c: u32, v0: f32) -> vec2<f32> {
  var total = vec2<f32>(0.0);
  for (var q = 0u; q < P.projs; q++) {
    let pr = projs[q];
    if (pr.post != p || pr.conductance == 0u) {
      continue;
    }
    let g = pr.out_scale * state[base + pr.g_off + c];
    let B = select(1.0, nmda_block(v0 + pop.rest_potential, pr.mg), pr.mg > 0.0);
    total += vec2<f32>(g * B, g * B * pr.e_rev);
  }
  return total;
}

// V_{n+1} of neurons out of refractoriness that start the step at v0 (population.ts membraneNext):
// the exact solution with the input held, V∞ = (μ + I_cur + GE)/(1 + G) at rate (1 + G)/τm.
fn membrane_next(pop: MesoPop, p: u32, base: u32, v0: f32, drive: f32, icur: f32) -> f32 {
  if (USE_CONDUCTANCE && pop.conductance_input != 0u) {
    let ge = conductances(pop, p, base, 0u, v0);
    if (ge.x != 0.0) {
      let lam = 1.0 + ge.x;
      let v_inf = (drive + icur + ge.y) / lam;
      return v_inf + (v0 - v_inf) * exp(-(P.dt * lam) / pop.tau_m);
    }
  }
  let v_inf = drive + icur;
  return v_inf + (v0 - v_inf) * pop.decay_m;
}

// P = 1 − exp(−dt(λ_start + λ_end)/2) of neurons that start the step at v0 and end it at v1
// (deterministic LIF: 1 when v1 reaches the threshold).
// Thresholds θ at the start and the end of the step (u_th plus adaptation); a deterministic LIF
// compares with u_th, as population.ts advanceBin does.
fn fire_probability(pop: MesoPop, v0: f32, v1: f32, theta: vec2<f32>) -> f32 {
  if (USE_LIF && pop.kind == NEURON_LIF) {
    return select(0.0, 1.0, v1 >= pop.u_th);
  }
  let lam0 = pop.c * exp((v0 - theta.x) * pop.inv_delta_u);
  let lam1 = pop.c * exp((v1 - theta.y) * pop.inv_delta_u);
  return 1.0 - exp(-0.5 * P.dt * (lam0 + lam1));
}

// The projection of a population's i-th age-resolved STP track.
fn track_projection(pop: MesoPop, i: u32) -> u32 {
  return select(pop.track1, pop.track0, i == 0u);
}

// θ_own at ages j and j + 1 (the step's start and end), and the effective kernel likewise.
fn own_kernel(pop: MesoPop, j: u32) -> vec2<f32> {
  return vec2<f32>(kernels[pop.theta_off + j], kernels[pop.theta_off + j + 1u]);
}

fn effective_kernel(pop: MesoPop, j: u32) -> vec2<f32> {
  let at = pop.theta_off + pop.k + 2u + j;
  return vec2<f32>(kernels[at], kernels[at + 1u]);
}

// E[x²] after every neuron's x recovered as x → 1 + d(x − 1) (population.ts recoveredSecondMoment).
fn recovered_second_moment(x: f32, x2: f32, d: f32) -> f32 {
  return 1.0 + 2.0 * d * (x - 1.0) + d * d * (x2 - 2.0 * x + 1.0);
}

// Lane `lid`'s share of a neuron population's bins (population.ts currentInputStep and
// generalBins): a contiguous block of ages, from the oldest; refractory bins (j < R) hold u_r and
// do not fire; the others relax exactly towards V∞, fire with P, and lose P·m
// (v ← (1 − P)²v + P·m). Empty bins stay empty. With adaptation the threshold of bin j is
// u_th + θ_own(j) + the population spikes older than the bin weighted by the effective kernel + the
// trace of spikes older than the K bins (quasi-renewal): a suffix sum over ages, which the blocks
// make a sum over older lanes' blocks (one barrier) and a running sum within the block. Lane 0 also
// keeps the lumped class's thresholds, which see every bin's spikes.
// With age-resolved STP tracks (`--stp age`), the same pass sums each bin's u⁺, x, u⁺x and E[x²]
// weighted by P·m, P·v and m before the survival update (population.ts spikeMeans), then lets the
// bin's u and x recover over the step (commit). Recovering before the oldest bin merges into the
// lumped class, where the CPU merges first, gives the same numbers: both maps are affine, and a
// merge is a convex combination. The sums go to bank `bank` of bin_sums.
fn step_bins(pop: MesoPop, p: u32, base: u32, lid: u32, bank: u32, drive: f32, icur: f32, dkick: f32) {
  var sums = vec4<f32>(0.0);
  var sum_mv = 0.0;
  var tsums: array<vec4<f32>, TRACK_SUMS>;
  let K = pop.k;
  let sc = base + pop.scalars_off;
  let head = u32(state[sc + SCALAR_HEAD]);
  let m_off = base + pop.bins_off;
  let v_off = m_off + K;
  let pot_off = v_off + K;
  let nbin_off = pot_off + K;
  // The occupied bins (population.ts occ): a queue of slots, youngest first; a lane takes a
  // contiguous block of it, which is a contiguous block of ages.
  let occ_off = nbin_off + K;
  let occ_start = u32(state[sc + SCALAR_OCC_START]);
  let occ_len = u32(state[sc + SCALAR_OCC_LEN]);
  let per_lane = (occ_len + LANES - 1u) / LANES;
  let lo = min(lid * per_lane, occ_len);
  let hi = min(lo + per_lane, occ_len);
  let adaptive = USE_ADAPTATION && pop.adapt_kernels > 0u;
  // Σ_{i>j} n_i/N·(eff(i), eff(i + 1)) plus the trace of older spikes, at the step's start and end.
  var older = vec2<f32>(0.0);
  // pop comes from a read-only table: uniform, so the barrier may sit in this branch.
  if (adaptive) {
    var mine = vec2<f32>(0.0);
    for (var i = lo; i < hi; i++) {
      let k = u32(state[occ_off + (occ_start + i) % K]);
      mine += state[nbin_off + k] * effective_kernel(pop, (k + K - head) % K);
    }
    block_spikes[lid] = mine;
    sync_lanes();
    for (var a = 0u; a < pop.adapt_kernels; a++) {
      let trace = state[sc + SCALAR_TRACE + a];
      older += vec2<f32>(trace, trace * pop.adapt_decay[a]);
    }
    var all = older;
    for (var l = 0u; l < LANES; l++) {
      all += block_spikes[l];
      if (l > lid) {
        older += block_spikes[l];
      }
    }
    if (lid == 0u) {
      state[sc + SCALAR_FREE_THETA] = pop.u_th + all.x;
      state[sc + SCALAR_FREE_THETA + 1u] = pop.u_th + all.y;
    }
  }
  for (var ii = hi; ii > lo; ii--) {
    let k = u32(state[occ_off + (occ_start + ii - 1u) % K]);
    let j = (k + K - head) % K;
    var theta = vec2<f32>(pop.u_th);
    if (adaptive) {
      theta += own_kernel(pop, j) + older;
      older += state[nbin_off + k] * effective_kernel(pop, j);
    }
    let mk = state[m_off + k];
    let vk = state[v_off + k];
    if (mk == 0.0 && vk == 0.0) {
      continue;
    }
    sums.x += mk;
    sums.y += vk;
    var pk = 0.0;
    if (j < pop.refractory) {
      sum_mv += mk * pop.u_reset;
    } else {
      sum_mv += mk * state[pot_off + k];
      let v0 = state[pot_off + k] + dkick;
      let v1 = membrane_next(pop, p, base, v0, drive, icur);
      state[pot_off + k] = v1;
      pk = fire_probability(pop, v0, v1, theta);
      sums.z += pk * mk;
      sums.w += pk * vk;
      state[v_off + k] = (1.0 - pk) * (1.0 - pk) * vk + pk * mk;
      state[m_off + k] = mk * (1.0 - pk);
    }
    for (var i = 0u; i < select(0u, pop.tracks, USE_TRACKS); i++) {
      let pr = projs[track_projection(pop, i)];
      let to = base + pr.track_off;
      let uk = state[to + k];
      let xk = state[to + K + k];
      let x2k = state[to + 2u * K + k];
      let facilitating = pr.stp == STP_TM;
      let up = select(pr.u_param, uk + pr.u_param * (1.0 - uk), facilitating);
      let w = up * xk;
      let pm = pk * mk;
      let pv = pk * vk;
      tsums[SUMS_PER_TRACK * i] += pm * vec4<f32>(up, xk, w, x2k);
      tsums[SUMS_PER_TRACK * i + 1u] += pv * vec4<f32>(up, xk, w, x2k);
      tsums[SUMS_PER_TRACK * i + 2u] += mk * vec4<f32>(uk, xk, 0.0, 0.0);
      if (facilitating) {
        state[to + k] = pr.u0 + (uk - pr.u0) * pr.decay_f;
      } else {
        state[to + 2u * K + k] = recovered_second_moment(xk, x2k, pr.decay_d);
      }
      state[to + K + k] = 1.0 + (xk - 1.0) * pr.decay_d;
    }
  }
  let at = (bank * LANES + lid) * SUM_VECTORS;
  bin_sums[at] = sums;
  bin_sums[at + 1u] = vec4<f32>(sum_mv, 0.0, 0.0, 0.0);
  for (var i = 0u; i < TRACK_SUMS; i++) {
    bin_sums[at + POP_SUMS + i] = tsums[i];
  }
}

// Lane 0: the sum over lanes of entry `e` of bank `bank`.
fn lanes_sum(bank: u32, e: u32) -> vec4<f32> {
  var s = vec4<f32>(0.0);
  for (var l = 0u; l < LANES; l++) {
    s += bin_sums[(bank * LANES + l) * SUM_VECTORS + e];
  }
  return s;
}

// Lane 0: a track's means over the neurons expected to fire in this step (population.ts
// spikeMeans): the bins' sums, the lumped class (its state before this step's recovery, which it
// then gets), and the neurons the bins miss with the finite-size hazard Λ and the variance-weighted
// state; then u and x averaged over all neurons, for the recording.
fn close_track(q: u32, base: u32, bank: u32, i: u32, pop_sums: vec4<f32>, m_free: f32, var_free: f32, pf: f32, lambda: f32, missing: f32) {
  let pr = projs[q];
  let K = pops[pr.pre].k;
  let to = base + pr.track_off + 3u * K;
  let facilitating = pr.stp == STP_TM;
  let u_free = state[to + TRACK_U_FREE];
  let x_free = state[to + TRACK_X_FREE];
  let x2_free = state[to + TRACK_X2_FREE];
  let up_free = select(pr.u_param, u_free + pr.u_param * (1.0 - u_free), facilitating);
  let free_state = vec4<f32>(up_free, x_free, up_free * x_free, x2_free);
  var s_p = pop_sums.z + pf * m_free;
  let s_pv = pop_sums.w + pf * var_free;
  var by_m = lanes_sum(bank, POP_SUMS + SUMS_PER_TRACK * i) + pf * m_free * free_state;
  let by_v = lanes_sum(bank, POP_SUMS + 1u + SUMS_PER_TRACK * i) + pf * var_free * free_state;
  let all = lanes_sum(bank, POP_SUMS + 2u + SUMS_PER_TRACK * i) + m_free * vec4<f32>(u_free, x_free, 0.0, 0.0);
  let a_m = pop_sums.x + m_free;
  let extra = lambda * missing;
  if (extra != 0.0 && s_pv > 0.0) {
    s_p += extra;
    by_m += extra * by_v / s_pv;
  }
  // u⁺, x⁻, u⁺x⁻, E[x⁻²] of the spikers; nobody expected to fire: the lumped class (the most excitable at rest).
  let spike = select(free_state, by_m / s_p, s_p > 0.0);
  state[to + TRACK_SPIKE_U] = spike.x;
  state[to + TRACK_SPIKE_X] = spike.y;
  state[to + TRACK_SPIKE_W] = spike.z;
  state[to + TRACK_SPIKE_X2] = spike.w;
  if (a_m > 0.0) {
    state[to + TRACK_MEAN_U] = select(pr.u_param, all.x / a_m, facilitating);
    state[to + TRACK_MEAN_X] = all.y / a_m;
  }
  // The lumped class recovers over the step, as every bin did in step_bins.
  if (facilitating) {
    state[to + TRACK_U_FREE] = pr.u0 + (u_free - pr.u0) * pr.decay_f;
  } else {
    state[to + TRACK_X2_FREE] = recovered_second_moment(x_free, x2_free, pr.decay_d);
  }
  state[to + TRACK_X_FREE] = 1.0 + (x_free - 1.0) * pr.decay_d;
}

// Lane 0, in the commit: the oldest bin (recovered) joins the lumped class (recovered), m-weighted;
// the new bin opens with the spikers' state just after their spike, recovered over the step: u⁺,
// and x⁻ − u⁺x⁻ (without facilitation E[x²] too: (1 − U)²E[x⁻²]).
fn commit_track(q: u32, base: u32, old: u32, m_free: f32, m_old: f32) {
  let pr = projs[q];
  let K = pops[pr.pre].k;
  let tb = base + pr.track_off;
  let to = tb + 3u * K;
  let m_sum = m_free + m_old;
  if (m_sum > 0.0) {
    state[to + TRACK_U_FREE] = (m_free * state[to + TRACK_U_FREE] + m_old * state[tb + old]) / m_sum;
    state[to + TRACK_X_FREE] = (m_free * state[to + TRACK_X_FREE] + m_old * state[tb + K + old]) / m_sum;
    state[to + TRACK_X2_FREE] = (m_free * state[to + TRACK_X2_FREE] + m_old * state[tb + 2u * K + old]) / m_sum;
  }
  let d = pr.decay_d;
  let x_after = state[to + TRACK_SPIKE_X] - state[to + TRACK_SPIKE_W];
  if (pr.stp == STP_TM) {
    state[tb + old] = pr.u0 + (state[to + TRACK_SPIKE_U] - pr.u0) * pr.decay_f;
  } else {
    let x2_after = (1.0 - pr.u_param) * (1.0 - pr.u_param) * state[to + TRACK_SPIKE_X2];
    state[tb + 2u * K + old] = recovered_second_moment(x_after, x2_after, d);
  }
  state[tb + K + old] = 1.0 + (x_after - 1.0) * d;
}

// Lane 0, before close_population: the potential averaged over all neurons at the step start,
// refractory ones at u_r (population.ts meanV), for the recorded conductance input.
fn mean_potential(pop: MesoPop, base: u32, bank: u32) -> f32 {
  if (!USE_NEURONS || pop.kind == NEURON_POISSON) {
    return 0.0;
  }
  let sc = base + pop.scalars_off;
  let m_free = state[sc + SCALAR_M_FREE];
  let sum_m = lanes_sum(bank, 0u).x + m_free;
  let sum_mv = lanes_sum(bank, 1u).x + m_free * state[sc + SCALAR_V_FREE];
  return select(pop.u_reset, sum_mv / sum_m, sum_m > 0.0);
}

// Lane 0, after the bins' sums: the lumped class's step, the expected count n̄ with the finite-size
// correction, the count (binomial, or n̄ in the macro limit), and the new bin (population.ts
// expectedCount and commit). Returns the count.
fn close_population(p: u32, base: u32, trial: u32, n: u32, icur: f32, dkick: f32, bank: u32) -> f32 {
  let pop = pops[p];
  let sc = base + pop.scalars_off;
  let drive = drives[(n - P.step0) * P.pops + p];
  var n_bar: f32;
  if (!USE_NEURONS || pop.kind == NEURON_POISSON) {
    n_bar = pop.n_f * drive;
  } else {
    let bins = lanes_sum(bank, 0u);
    var m_free = state[sc + SCALAR_M_FREE];
    var var_free = state[sc + SCALAR_VAR_FREE];
    let v0 = state[sc + SCALAR_V_FREE] + dkick;
    var v_free = membrane_next(pop, p, base, v0, drive, icur);
    var theta = vec2<f32>(pop.u_th);
    if (USE_ADAPTATION && pop.adapt_kernels > 0u) {
      theta = vec2<f32>(state[sc + SCALAR_FREE_THETA], state[sc + SCALAR_FREE_THETA + 1u]);
    }
    let pf = fire_probability(pop, v0, v_free, theta);
    let sum_m = bins.x + m_free;
    let sum_v = bins.y + var_free;
    let sum_pm = bins.z + pf * m_free;
    let sum_pv = bins.w + pf * var_free;
    // The neurons the bins miss (N − Σm, of either sign) fire with the variance-weighted hazard.
    let lambda = select(0.0, sum_pv / sum_v, sum_v > 0.0);
    n_bar = clamp(sum_pm + lambda * (pop.n_f - sum_m), 0.0, pop.n_f);
    for (var i = 0u; i < select(0u, pop.tracks, USE_TRACKS); i++) {
      close_track(track_projection(pop, i), base, bank, i, bins, m_free, var_free, pf, lambda, pop.n_f - sum_m);
    }
    var_free = (1.0 - pf) * (1.0 - pf) * var_free + pf * m_free;
    m_free *= 1.0 - pf;
    // Commit below, once the count is known: the oldest bin joins the lumped class.
    state[sc + SCALAR_M_FREE] = m_free;
    state[sc + SCALAR_VAR_FREE] = var_free;
    state[sc + SCALAR_V_FREE] = v_free;
  }
  var count = n_bar;
  if (!MACRO_LIMIT) {
    var s = uniform_stream(vec2<u32>(P.seed, pop.stream), n, trial, P.count_word);
    count = f32(binomial_sample(pop.n, n_bar / pop.n_f, &s));
  }
  state[sc + SCALAR_COUNT] = count;
  state[sc + SCALAR_EXPECTED] = n_bar;
  if (USE_NEURONS && pop.kind != NEURON_POISSON) {
    let K = pop.k;
    let m_off = base + pop.bins_off;
    let head = u32(state[sc + SCALAR_HEAD]);
    let old = (head + K - 1u) % K;
    let m_old = state[m_off + old];
    let m_free = state[sc + SCALAR_M_FREE];
    let m_sum = m_free + m_old;
    for (var i = 0u; i < select(0u, pop.tracks, USE_TRACKS); i++) {
      commit_track(track_projection(pop, i), base, old, m_free, m_old);
    }
    if (m_sum > 0.0) {
      state[sc + SCALAR_V_FREE] = (m_free * state[sc + SCALAR_V_FREE] + m_old * state[m_off + 2u * K + old]) / m_sum;
    }
    state[sc + SCALAR_M_FREE] = m_sum;
    state[sc + SCALAR_VAR_FREE] += state[m_off + K + old];
    // The oldest bin's spikes, K steps old at the next step's start, join the linear trace.
    let nbin_off = m_off + 3u * K;
    for (var a = 0u; a < select(0u, pop.adapt_kernels, USE_ADAPTATION); a++) {
      state[sc + SCALAR_TRACE + a] = state[sc + SCALAR_TRACE + a] * pop.adapt_decay[a] + pop.adapt_kick_k[a] * state[nbin_off + old];
    }
    state[nbin_off + old] = count / pop.n_f;
    // The slot of the oldest bin becomes bin 0 (the head is a small integer, exact in f32), at the
    // young end of the queue of occupied bins if there were spikes; it leaves the old end.
    state[sc + SCALAR_HEAD] = f32(old);
    let occ_off = nbin_off + K;
    var occ_start = u32(state[sc + SCALAR_OCC_START]);
    var occ_len = u32(state[sc + SCALAR_OCC_LEN]);
    if (occ_len > 0u && u32(state[occ_off + (occ_start + occ_len - 1u) % K]) == old) {
      occ_len -= 1u;
    }
    if (count != 0.0) {
      occ_start = (occ_start + K - 1u) % K;
      state[occ_off + occ_start] = f32(old);
      occ_len += 1u;
    }
    state[sc + SCALAR_OCC_START] = f32(occ_start);
    state[sc + SCALAR_OCC_LEN] = f32(occ_len);
    state[m_off + old] = count;
    state[m_off + K + old] = 0.0;
    state[m_off + 2u * K + old] = pop.u_reset;
  }
  return count;
}

// Projection q after every population's count (simulate.ts step 4): its filter advances to
// t_{n+1}, then per channel the STP-weighted activity y = W̄·A_N + sqrt((Ā/dt)·noise)·ξ goes
// into the delay ring, the channel's means release and recover, and the moments advance.
fn step_projection(q: u32, base: u32, rbase: u32, trial: u32, n: u32, bin_end: bool) {
  let pr = projs[q];
  let ch = pr.channels;
  for (var c = 0u; c < ch; c++) {
    if (pr.filter_code == FILTER_EXP) {
      state[base + pr.g_off + c] *= pr.exp_decay;
    } else if (USE_DUAL && pr.filter_code == FILTER_DUAL) {
      let g0 = state[base + pr.g_off + c];
      let h0 = state[base + pr.h_off + c];
      state[base + pr.g_off + c] = g0 * pr.gg + h0 * pr.hg;
      state[base + pr.h_off + c] = h0 * pr.hh;
    }
  }
  let pre = pops[pr.pre];
  let count = state[base + pre.scalars_off + SCALAR_COUNT];
  let expected = state[base + pre.scalars_off + SCALAR_EXPECTED];
  let N = pre.n_f;
  let A = count / (N * P.dt);
  let a_bar = expected / (N * P.dt);
  let slot = base + pr.ring_off + ((n + pr.ring_slots - 1u) % pr.ring_slots) * ch;
  let mo = base + pr.moments_off;
  var mom = Moments(state[mo], state[mo + 1u], state[mo + 2u], state[mo + 3u], state[mo + 4u]);
  // Central second moments (zero under MF1).
  var sxx = 0.0;
  var suu = 0.0;
  var sux = 0.0;
  if (USE_SECOND_ORDER && pr.second_order != 0u) {
    if (pr.stp == STP_DEPRESSION) {
      sxx = mom.x - mom.u * mom.u;
    } else if (USE_TM && pr.stp == STP_TM) {
      suu = mom.uu - mom.u * mom.u;
      sxx = mom.xx - mom.x * mom.x;
      sux = mom.ux - mom.u * mom.x;
    }
  }
  var normals = vec4<f32>(0.0);
  var xi0 = 0.0;
  for (var c = 0u; c < ch; c++) {
    let xb = state[base + pr.x_off + c];
    let ub = state[base + pr.u_off + c];
    var W = 1.0;
    var W2 = 1.0;
    if (pr.stp == STP_DEPRESSION) {
      W = pr.u_param * xb;
      W2 = pr.u_param * pr.u_param * (xb * xb + sxx);
    } else if (USE_TM && pr.stp == STP_TM) {
      let at = Moments(ub, xb, ub * ub + suu, xb * xb + sxx, ub * xb + sux);
      let a = 1.0 - pr.u_param;
      W = pr.u_param * at.x + a * at.ux;
      W2 = pr.u_param * pr.u_param * at.xx + 2.0 * pr.u_param * a * closure_eux2(at) + a * a * closure_eu2x2(at);
    }
    // noise = E[w²]/C − W̄²/N, C = N for the population channel (Var_j(w)/N).
    let C = select(pr.in_degree, N, c == 0u);
    var spread = max(0.0, W2 / C - W * W / N);
    if (USE_TRACKS && c == 0u && pr.track != 0u) {
      // `--stp age`: the spikers' mean efficacy, and without facilitation the spread of their
      // efficacies, from the presynaptic population's age bins (MF2's spread with facilitation).
      let to = base + pr.track_off + 3u * pre.k;
      W = state[to + TRACK_SPIKE_W];
      if (pr.stp != STP_TM) {
        let w2 = pr.u_param * pr.u_param * state[to + TRACK_SPIKE_X2];
        spread = max(0.0, w2 - W * W) / N;
      }
    }
    var y = W * A;
    if (!MACRO_LIMIT) {
      // Key (seed, projection), counter (channel/4, n, trial, mesoNoise), as the CPU draws them.
      // All-to-all: every channel sees the population channel's normal.
      if ((c & 3u) == 0u && !(pr.shared_noise != 0u && c > 0u)) {
        normals = philox_normal4(philox4x32_10(vec4<u32>(c >> 2u, n, trial, P.noise_word), vec2<u32>(P.seed, q)));
      }
      if (pr.shared_noise != 0u && c == 0u) {
        xi0 = normals.x;
      }
      let xi = select(normals[c & 3u], xi0, pr.shared_noise != 0u);
      let variance = (a_bar / P.dt) * spread;
      if (variance > 0.0) {
        y += sqrt(variance) * xi;
      }
    }
    // A sampled neuron's partners fire as y/W̄ implies; the population channel knows its count.
    let fired = select(y * P.dt / W, count / N, c == 0u || !(W > 0.0));
    if (pr.stp != STP_NONE) {
      let x_released = clamp(xb - y * P.dt, 0.0, 1.0);
      state[base + pr.x_off + c] = 1.0 + (x_released - 1.0) * pr.decay_d;
      if (USE_TM && pr.stp == STP_TM) {
        // Only ū is clipped: clipping the partner activity at 0 would bias ū upwards.
        let u_jumped = clamp(ub + pr.u_param * (1.0 - ub) * min(fired, 1.0), 0.0, 1.0);
        state[base + pr.u_off + c] = pr.u0 + (u_jumped - pr.u0) * pr.decay_f;
      }
    }
    state[slot + c] += pr.scale * y;
  }
  if (USE_SECOND_ORDER && pr.second_order != 0u) {
    let r = select(a_bar, A, P.realised != 0u);
    if (pr.stp == STP_DEPRESSION) {
      let m2 = depression_moments_step(pr.u_param, pr.tau_d, r, P.dt, vec2<f32>(mom.u, mom.x));
      state[mo] = m2.x;
      state[mo + 1u] = m2.y;
    } else if (USE_TM && pr.stp == STP_TM) {
      mom = tm_mf2_step(pr.u_param, pr.u0, pr.tau_d, pr.tau_f, r, P.dt, mom);
      state[mo] = mom.u;
      state[mo + 1u] = mom.x;
      state[mo + 2u] = mom.uu;
      state[mo + 3u] = mom.xx;
      state[mo + 4u] = mom.ux;
    }
  }
  // The STP variables of the population channel at the end of each bin: u (if recorded), then x.
  if (bin_end && pr.stp_vars > 0u) {
    let bin = n / P.bin_steps;
    let ro = rbase + pr.stp_rec_off;
    var u = state[base + pr.u_off];
    var x = state[base + pr.x_off];
    if (USE_TRACKS && pr.track != 0u) {
      // The age-resolved means over all neurons.
      let to = base + pr.track_off + 3u * pre.k;
      u = state[to + TRACK_MEAN_U];
      x = state[to + TRACK_MEAN_X];
    }
    if (pr.stp_vars == 2u) {
      rec[ro + bin] = u;
      rec[ro + P.total_bins + bin] = x;
    } else {
      rec[ro + bin] = x;
    }
  }
}

// Step 1 of step m (docs/meso.md): ring slot m mod (d + 1) into the filters (or the step's delta jump).
fn deliver(q: u32, base: u32, m: u32) {
  let pr = projs[q];
  let slot = base + pr.ring_off + (m % pr.ring_slots) * pr.channels;
  for (var c = 0u; c < pr.channels; c++) {
    let kick = state[slot + c];
    state[slot + c] = 0.0;
    if (USE_DELTA && pr.filter_code == FILTER_DELTA) {
      state[base + pr.delta_off + c] = kick;
    } else if (!USE_DUAL || pr.filter_code == FILTER_EXP) {
      state[base + pr.g_off + c] += kick;
    } else {
      state[base + pr.h_off + c] += kick;
    }
  }
}

// Barriers are what a step costs on a software adapter (llvmpipe switches between a workgroup's
// lanes at each), so a step has as few as the data flow allows: one per neuron population (its
// bins' sums) and two per step (the counts before the projections, the filters before the next
// step's input). Each projection's lane also delivers the kicks of the next step into its filters,
// so delivery needs no barrier of its own; the ring slot it reads was written a step or more earlier
// by the same lane.
fn run_trial(t: u32, lid: u32) {
  let base = t * P.state_stride;
  let rbase = t * P.rec_stride;
  let trial = P.trial0 + t;
  for (var s = 0u; s < P.steps; s++) {
    let n = P.step0 + s;
    let bin = n / P.bin_steps;
    let in_bin = bin < P.total_bins;
    // 2 and 3. Input and neurons, population by population.
    for (var p = 0u; p < P.pops; p++) {
      let pop = pops[p];
      // The population-mean input (channel 0): every lane sums it, which costs less than a barrier.
      var icur = 0.0;
      var dkick = 0.0;
      if (USE_NEURONS && pop.kind != NEURON_POISSON) {
        for (var q = 0u; q < P.projs; q++) {
          let pr = projs[q];
          if (pr.post != p) {
            continue;
          }
          if (USE_DELTA && pr.filter_code == FILTER_DELTA) {
            dkick += state[base + pr.delta_off];
          } else if (!USE_CONDUCTANCE || pr.conductance == 0u) {
            icur += current_input(pr, base, 0u);
          }
        }
      }
      let drive = drives[s * P.pops + p];
      // pop.kind comes from a read-only table: uniform, so the barrier may sit in this branch.
      if (USE_NEURONS && pop.kind != NEURON_POISSON) {
        step_bins(pop, p, base, lid, p & 1u, drive, icur, dkick);
        sync_state();
      }
      if (lid == 0u) {
        if (in_bin && pop.record_input != 0u) {
          record_input(p, base, rbase, bin, icur, dkick, mean_potential(pop, base, p & 1u));
        }
        let count = close_population(p, base, trial, n, icur, dkick, p & 1u);
        if (in_bin) {
          rec[rbase + pop.activity_off + bin] += count;
        }
      }
    }
    sync_state();
    // 4 and 5. Projections, one lane each; then the kicks due at step n + 1.
    let bin_end = in_bin && (n + 1u) % P.bin_steps == 0u;
    for (var q = lid; q < P.projs; q += LANES) {
      step_projection(q, base, rbase, trial, n, bin_end);
      deliver(q, base, n + 1u);
    }
    sync_state();
  }
}
