// The last dispatch of a step: advance the step counter and empty the spike lists.

// EndParams: stepEnd.ts.
@group(0) @binding(0) var<uniform> P: EndParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;

@compute @workgroup_size(1)
fn main() {
  atomicAdd(&ctl[CTL_STEP], 1u);
  for (var p = 0u; p < P.populations; p++) {
    atomicStore(&ctl[CTL_SPIKE_COUNTS + p], 0u);
  }
}
