// Spike raster: one screen-aligned quad per spike, drawn as an instanced 4-vertex triangle
// strip. Each instance is one spike (time in s, row = neuron index); data space is mapped to
// clip space by `transform` (src/app/raster/viewTransform.ts), row r occupying [r, r + 1) with
// row 0 at the top.

struct Raster {
  // Data space (relative to `origin`) to clip space, column-major.
  transform: mat4x4<f32>,
  // Subtracted from (time, row) before `transform`: near the view, it keeps the float32
  // arithmetic precise when zoomed far into a long run (see viewMatrix).
  origin: vec2<f32>,
  // Half width and half height of a mark in clip units; the host keeps it ≥ 1 device pixel.
  half_size: vec2<f32>,
  color: vec4<f32>,
}

@group(0) @binding(0) var<uniform> raster: Raster;

@vertex
fn vs(@builtin(vertex_index) corner: u32, @location(0) time: f32, @location(1) row: f32) -> @builtin(position) vec4<f32> {
  // Strip order (−1,−1), (1,−1), (−1,1), (1,1): two triangles covering the quad.
  let offset = vec2<f32>(f32(corner & 1u), f32(corner >> 1u)) * 2.0 - 1.0;
  let centre = raster.transform * vec4<f32>(time - raster.origin.x, row + 0.5 - raster.origin.y, 0.0, 1.0);
  return vec4<f32>(centre.xy + offset * raster.half_size * centre.w, centre.zw);
}

@fragment
fn fs() -> @location(0) vec4<f32> {
  return raster.color;
}
