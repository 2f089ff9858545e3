// Philox 4x32-10 (Salmon et al. 2011), twin of src/rng/philox.ts: identical bits.
// Key and counter layout: src/rng/streams.ts and docs/rng.md.

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;

// High 32 bits of a*b. WGSL has no 64-bit integers; 16-bit limbs keep every partial
// product within u32.
fn philox_mulhi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lh = a_lo * b_hi;
  let hl = a_hi * b_lo;
  let mid = ((a_lo * b_lo) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return a_hi * b_hi + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = philox_mulhi(PHILOX_M0, c.x);
    let lo0 = PHILOX_M0 * c.x;
    let hi1 = philox_mulhi(PHILOX_M1, c.z);
    let lo1 = PHILOX_M1 * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// Uniform on (0, 1): (x >> 9 + 0.5) * 2^-23, exact in f32, never 0 or 1.
fn philox_uniform(x: u32) -> f32 {
  return (f32(x >> 9u) + 0.5) * 1.1920928955078125e-7;
}

fn philox_uniform4(x: vec4<u32>) -> vec4<f32> {
  return (vec4<f32>(x >> vec4<u32>(9u)) + vec4<f32>(0.5)) * 1.1920928955078125e-7;
}

// Box–Muller: two standard normals from two words.
fn philox_normal2(x0: u32, x1: u32) -> vec2<f32> {
  let r = sqrt(-2.0 * log(philox_uniform(x0)));
  let theta = 6.283185307179586 * philox_uniform(x1);
  return r * vec2<f32>(cos(theta), sin(theta));
}

fn philox_normal4(x: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(philox_normal2(x.x, x.y), philox_normal2(x.z, x.w));
}
