// After the populations' step: the indirect dispatch arguments of the propagation kernels for
// each population, in two layouts: one workgroup per spike (long CSR rows: the workgroup strides
// over the row), at word SPIKE_ARGS_WORDS·p, and one workgroup per WG spikes (short rows: one
// invocation per spike), SPIKE_ARGS_THREAD words later. Both on a 2-D grid when there are more
// workgroups than maxComputeWorkgroupsPerDimension.

// ArgsParams: spikeArgs.ts.
@group(0) @binding(0) var<uniform> P: ArgsParams;
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> args: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.x;
  if (p >= P.populations) { return; }
  let count = atomicLoad(&ctl[CTL_SPIKE_COUNTS + p]);
  write_grid(SPIKE_ARGS_WORDS * p, count);
  write_grid(SPIKE_ARGS_WORDS * p + SPIKE_ARGS_THREAD, (count + WG - 1u) / WG);
}

fn write_grid(at: u32, workgroups: u32) {
  let x = min(workgroups, P.maxPerDimension);
  var y = 0u;
  if (x > 0u) { y = (workgroups + x - 1u) / x; }
  args[at] = x;
  args[at + 1u] = y;
  args[at + 2u] = 1u;
}
