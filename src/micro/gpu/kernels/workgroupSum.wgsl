// A workgroup of RWG invocations that is one trial sums a value over its invocations (the STP
// means of networkPhases.ts's record_stp_<q>).
var<workgroup> partial: array<vec3<f32>, RWG>;

// Σ over the workgroup of each invocation's x: the partial sums in workgroup memory, added by
// invocation 0 in order (two barriers, where a tree takes log2(RWG) + 1: barriers are what a
// workgroup step costs on CPU-emulated adapters). Called in uniform control flow only; the total
// is valid in invocation 0.
fn workgroup_sum(lid: u32, x: vec3<f32>) -> vec3<f32> {
  partial[lid] = x;
  workgroupBarrier();
  var total = vec3<f32>(0.0);
  if (lid == 0u) {
    for (var i = 0u; i < RWG; i++) { total += partial[i]; }
  }
  workgroupBarrier();
  return total;
}
