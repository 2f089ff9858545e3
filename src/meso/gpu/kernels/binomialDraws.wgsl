// Many independent Binomial(n, p) draws, one per invocation (binomialDraws.ts): draw i takes the
// uniforms of key (seed, stream), counter (block, i, 0, purpose word), as if it were step i of
// trial 0 of a population's spike counts.

@group(0) @binding(0) var<uniform> P: DrawParams;
@group(0) @binding(1) var<storage, read_write> draws: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= P.count) {
    return;
  }
  var s = uniform_stream(vec2<u32>(P.seed, P.stream), i, 0u, P.purpose_word);
  draws[i] = binomial_sample(P.n, P.p, &s);
}
