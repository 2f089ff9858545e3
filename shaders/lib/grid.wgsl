// Linear workgroup index of a 2-D dispatch grid (src/gpu/dispatch.ts): lets one kernel run
// more than maxComputeWorkgroupsPerDimension workgroups.
fn grid_workgroup_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}
