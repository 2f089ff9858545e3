/**
 * Does this adapter's shader compiler cap the loop iterations of one invocation? (docs/platform.md,
 * "Mesa before 25"). One invocation runs a loop of 100000 iterations, then one of 40000, then
 * 300 × 300 nested, and counts what each ran; the bounds come from a buffer so that the compiler
 * cannot fold them. Mesa's llvmpipe before 25 prints 65535, 1 and 1.
 *
 *   node bench/run.mjs bench/loopIterationProbe.ts              # the default adapter
 *   MESOSTP_GPU_BACKEND=opengl node bench/run.mjs bench/loopIterationProbe.ts
 */
import { requestNodeGpu } from '../src/gpu/node';
import { describeAdapter } from '../src/gpu/device';

const WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> io: array<u32, 16>;
@compute @workgroup_size(1)
fn main() {
  let zero = io[10];
  var a = 0u;
  for (var i = 0u; i < io[8]; i++) { a += 1u + zero; }
  var b = 0u;
  for (var i = 0u; i < io[9]; i++) { b += 1u + zero; }
  var c = 0u;
  for (var i = 0u; i < 300u + zero; i++) { for (var j = 0u; j < 300u + zero; j++) { c += 1u + zero; } }
  io[0] = a; io[1] = b; io[2] = c;
}`;

export async function main(): Promise<number> {
  const gpu = await requestNodeGpu();
  const { device } = gpu;
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: WGSL }), entryPoint: 'main' } });
  const io = device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const bounds = new Uint32Array(16);
  bounds[8] = 100000;
  bounds[9] = 40000;
  device.queue.writeBuffer(io, 0, bounds);
  const readback = device.createBuffer({ size: 64, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: io } }] }));
  pass.dispatchWorkgroups(1);
  pass.end();
  encoder.copyBufferToBuffer(io, 0, readback, 0, 64);
  device.queue.submit([encoder.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  const ran = new Uint32Array(readback.getMappedRange().slice(0));
  console.log(describeAdapter(gpu.summary));
  console.log(`loop of 100000 ran ${ran[0]}; then a loop of 40000 ran ${ran[1]}; then 300 × 300 nested (90000) ran ${ran[2]}`);
  const capped = ran[0] !== 100000 || ran[1] !== 40000 || ran[2] !== 90000;
  console.log(
    `${capped ? 'capped' : 'not capped'}; mesostp's loopIterationCap for this adapter: ${gpu.summary.loopIterationCap ?? 'none'}${
      capped === (gpu.summary.loopIterationCap !== null) ? '' : ' (DISAGREES with the probe: see docs/platform.md)'
    }`,
  );
  readback.unmap();
  gpu.destroy();
  return 0;
}
