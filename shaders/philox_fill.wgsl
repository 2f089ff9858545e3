// Fills out[i] with the Philox block at counter (base.x + i, base.y, base.z, base.w):
// raw bits (mode 0), four uniforms (mode 1) or four standard normals (mode 2).
// Needs lib/philox.wgsl and lib/grid.wgsl.

struct Params {
  counter: vec4<u32>,
  key: vec2<u32>,
  count: u32,
  mode: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<u32>>;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = grid_workgroup_index(wid, nwg) * WG + lid;
  if (i >= params.count) {
    return;
  }
  let bits = philox4x32_10(vec4<u32>(params.counter.x + i, params.counter.yzw), params.key);
  switch params.mode {
    case 0u: { out[i] = bits; }
    case 1u: { out[i] = bitcast<vec4<u32>>(philox_uniform4(bits)); }
    default: { out[i] = bitcast<vec4<u32>>(philox_normal4(bits)); }
  }
}
