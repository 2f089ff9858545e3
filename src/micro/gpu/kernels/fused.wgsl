// The fused schedule (docs/gpu-engine.md, "Fused mode"): a step in two dispatches over every
// trial of the batch, three at a bin's end with STP means recorded, where the per-step schedule
// takes about ten. What the per-step kernels separate by dispatches, the fused kernel keeps in
// one invocation where it can: a block of neurons takes its input out of the rings and filters
// and then steps and draws (`populations`); a spike's STP update happens where it is emitted,
// so that propagation only reads its efficacy (`propagation`). Everything network-specific is
// generated in front of this file by fused.ts; bindings and bookkeeping are arena.wgsl's.

// The step within the chunk (FusedStep, fused.ts): one record per step, bound at a dynamic
// offset, so that the step counter needs no dispatch of its own.
@group(0) @binding(6) var<uniform> S: FusedStep;

fn step_number() -> u32 {
  return atomicLoad(&ctl[CTL_CHUNK_START]) + S.k;
}

// Invocation g of the dispatch, on the grid of grid.wgsl.
fn invocation(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return grid_workgroup_index(wid, nwg) * WG + lid;
}

@compute @workgroup_size(WG)
fn populations(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = step_number();
  fused_populations(invocation(wid, nwg, lid), n, S.k, n & 1u);
}

@compute @workgroup_size(WG)
fn propagation(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = invocation(wid, nwg, lid);
  let b = g / R.lanes;
  if (b >= R.T) { return; }
  let n = step_number();
  fused_propagation(b, g % R.lanes, n, n & 1u);
}

// At a bin's end (dispatched only then): the STP means, one invocation per trial (few entries, or
// a CPU-emulated adapter, where a workgroup's barriers run lane after lane) …
@compute @workgroup_size(WG)
fn binEndThread(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = invocation(wid, nwg, lid);
  if (b >= R.T) { return; }
  fused_bin_end_thread(b, step_number());
}

// … or one workgroup per trial.
@compute @workgroup_size(RWG)
fn binEnd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = grid_workgroup_index(wid, nwg);
  if (b >= R.T) { return; }
  fused_bin_end(b, lid, step_number());
}
