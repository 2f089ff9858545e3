// Binomial spike counts on the GPU, the twin in distribution of src/meso/binomial.ts (not in bits:
// float32 arithmetic, and the BTRS acceptance test written with Stirling tails, below).
//
// Uniforms come from one draw site's Philox blocks, as PhiloxUniforms does on the CPU: key
// (seed, stream), counter (block, step, trial, purpose word), block = 0, 1, 2, … and each block's
// words in order through philox_uniform (exact in f32). A draw therefore depends on its
// (seed, stream, step, trial) only, never on how trials are batched or dispatched.

struct UniformStream {
  key: vec2<u32>,
  counter: vec4<u32>,
  words: vec4<u32>,
  // Index into words of the next uniform; 4 when the block is spent.
  used: u32,
}

fn uniform_stream(key: vec2<u32>, step: u32, trial: u32, purpose_word: u32) -> UniformStream {
  return UniformStream(key, vec4<u32>(0u, step, trial, purpose_word), vec4<u32>(0u), 4u);
}

fn stream_next(s: ptr<function, UniformStream>) -> f32 {
  if ((*s).used == 4u) {
    (*s).words = philox4x32_10((*s).counter, (*s).key);
    (*s).counter.x += 1u;
    (*s).used = 0u;
  }
  let w = (*s).words[(*s).used];
  (*s).used += 1u;
  return philox_uniform(w);
}

// ln(1 + x) to float32 accuracy for small x (WGSL has no log1p): with u = 1 + x rounded,
// log(u)·x/(u − 1) cancels the rounding of u (Goldberg 1991, "What every computer scientist
// should know about floating-point arithmetic", Theorem 4).
fn log1p_f32(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) {
    return x;
  }
  return log(u) * x / (u - 1.0);
}

// Tries before a draw gives up (either method accepts with probability ≥ 0.7 per try, so the
// cap is never reached in practice; it only keeps a corrupt argument from hanging the GPU).
const BINOMIAL_MAX_TRIES: u32 = 512u;

// One draw from Binomial(n, p), exact in distribution up to float32 rounding of its arithmetic and
// the uniforms' 2^-23 resolution. Inversion for n·p < 10, BTRS beyond (Hörmann 1993), both for
// p ≤ ½ (as on the CPU: inversion so that qⁿ stays far from underflow, BTRS because its hat
// constants were fitted for that range).
fn binomial_sample(n: u32, p: f32, s: ptr<function, UniformStream>) -> u32 {
  if (n == 0u || !(p > 0.0)) {
    return 0u;
  }
  if (p >= 1.0) {
    return n;
  }
  if (p > 0.5) {
    return n - binomial_lower_half(n, 1.0 - p, s);
  }
  return binomial_lower_half(n, p, s);
}

fn binomial_lower_half(n: u32, p: f32, s: ptr<function, UniformStream>) -> u32 {
  if (f32(n) * p < 10.0) {
    return binomial_inversion(n, p, s);
  }
  return binomial_btrs(n, p, s);
}

// Sequential search from k = 0; with n·p < 10 and p ≤ ½, qⁿ ≥ e^{−20 ln 2} ≈ 1e-6.
fn binomial_inversion(n: u32, p: f32, s: ptr<function, UniformStream>) -> u32 {
  let odds = p / (1.0 - p);
  let prob_zero = exp(f32(n) * log1p_f32(-p));
  for (var tries = 0u; tries < BINOMIAL_MAX_TRIES; tries++) {
    let u = stream_next(s);
    var k = 0u;
    var prob_k = prob_zero;
    var cdf = prob_zero;
    var exhausted = false;
    while (u > cdf) {
      // Rounding can leave the cdf short of u at the end of the support: draw again (a bias far
      // below the uniforms' resolution) rather than pile the missing mass onto one value.
      if (k >= n) {
        exhausted = true;
        break;
      }
      prob_k *= (f32(n - k) / f32(k + 1u)) * odds;
      k += 1u;
      let next_cdf = cdf + prob_k;
      if (!(next_cdf > cdf)) {
        exhausted = true;
        break;
      }
      cdf = next_cdf;
    }
    if (!exhausted) {
      return k;
    }
  }
  return u32(round(f32(n) * p));
}

// fc(k) = ln k! − [(k + ½) ln(k + 1) − (k + 1) + ½ ln 2π], the tail of Stirling's series: a table
// for k ≤ 9, the series beyond (error below 1e-10 there).
fn stirling_tail(k: f32) -> f32 {
  switch (u32(k)) {
    case 0u: { return 0.08106146679532726; }
    case 1u: { return 0.04134069595540929; }
    case 2u: { return 0.02767792568499834; }
    case 3u: { return 0.02079067210376509; }
    case 4u: { return 0.01664469118982119; }
    case 5u: { return 0.01387612882307075; }
    case 6u: { return 0.01189670994589177; }
    case 7u: { return 0.01041126526197209; }
    case 8u: { return 0.009255462182712733; }
    case 9u: { return 0.008330563433362871; }
    default: {
      let k1 = k + 1.0;
      let k1sq = k1 * k1;
      return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / k1sq) / k1sq) / k1;
    }
  }
}

// BTRS of Hörmann (1993), "The generation of binomial random variates", J. Statist. Comput.
// Simul. 46:101–110, for p ≤ ½ and n·p ≥ 10: the constants and the squeeze of the CPU version.
// Its final test compares V with pmf(k)/pmf(m) in logs; the CPU writes that as differences of
// ln k! (~1e4 at n = 10³), which float32 cannot resolve, so here it is the same ratio with
// the large terms cancelled analytically: (m + ½) ln((m + 1)/(r(n − m + 1))) + (n + 1) ln((n − m + 1)/
// (n − k + 1)) + (k + ½) ln(r(n − k + 1)/(k + 1)) + fc(m) + fc(n − m) − fc(k) − fc(n − k), r = p/q.
fn binomial_btrs(n: u32, p: f32, s: ptr<function, UniformStream>) -> u32 {
  let nf = f32(n);
  let q = 1.0 - p;
  let spq = sqrt(nf * p * q);
  let b = 1.15 + 2.53 * spq;
  let a = -0.0873 + 0.0248 * b + 0.01 * p;
  let c = nf * p + 0.5;
  let v_r = 0.92 - 4.2 / b;
  let alpha = (2.83 + 5.1 / b) * spq;
  let r = p / q;
  let m = floor((nf + 1.0) * p);
  let nm = nf - m + 1.0;
  let h = (m + 0.5) * log((m + 1.0) / (r * nm)) + stirling_tail(m) + stirling_tail(nf - m);
  for (var tries = 0u; tries < BINOMIAL_MAX_TRIES; tries++) {
    let u = stream_next(s) - 0.5;
    var v = stream_next(s);
    let us = 0.5 - abs(u);
    let k = floor((2.0 * a / us + b) * u + c);
    if (k < 0.0 || k > nf) {
      continue;
    }
    if (us >= 0.07 && v <= v_r) {
      return u32(k);
    }
    v = log(v * alpha / (a / (us * us) + b));
    let nk = nf - k + 1.0;
    let ratio = h + (nf + 1.0) * log1p_f32((k - m) / nk) + (k + 0.5) * log(r * nk / (k + 1.0)) - stirling_tail(k) - stirling_tail(nf - k);
    if (v <= ratio) {
      return u32(k);
    }
  }
  return u32(round(nf * p));
}
