/**
 * Many Philox blocks at consecutive counters, on the CPU and on the GPU, in the same layout:
 * block i (counter (c0 + i mod 2³², c1, c2, c3)) fills elements 4i … 4i+3.
 * Used to fill arrays of random numbers in bulk and to check the WGSL twin against the TS one.
 */
import type { GpuContext } from '../gpu/device';
import { createStorageBuffer, createUniformBuffer, readBuffer } from '../gpu/buffers';
import { dispatchGrid, gridFor } from '../gpu/dispatch';
import { bindBuffers, createComputeKernel, type ComputeKernel, GRID_WGSL, PHILOX_WGSL } from '../gpu/wgsl';
import { normalPairFromBits, philox4x32Into, uniformFromBits, type Counter4, type Key2 } from './philox';
import fillKernel from '../../shaders/philox_fill.wgsl?raw';

export type BlockOutput = 'bits' | 'uniform' | 'normal';
const MODE: Record<BlockOutput, number> = { bits: 0, uniform: 1, normal: 2 };
const WG = 64;

export function philoxBlocksCpu(key: Key2, counter: Counter4, count: number): Uint32Array {
  const out = new Uint32Array(4 * count);
  for (let i = 0; i < count; i++) {
    philox4x32Into((counter[0] + i) >>> 0, counter[1], counter[2], counter[3], key[0], key[1], out, 4 * i);
  }
  return out;
}

export function uniformsFromBits(bits: Uint32Array): Float64Array {
  const out = new Float64Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = uniformFromBits(bits[i]);
  return out;
}

export function normalsFromBits(bits: Uint32Array): Float64Array {
  const out = new Float64Array(bits.length);
  for (let i = 0; i < bits.length; i += 2) normalPairFromBits(bits[i], bits[i + 1], out, i);
  return out;
}

const kernels = new WeakMap<GPUDevice, Promise<ComputeKernel>>();

function fillKernelFor(ctx: GpuContext): Promise<ComputeKernel> {
  let k = kernels.get(ctx.device);
  if (!k) {
    k = createComputeKernel(ctx, {
      label: 'philox_fill',
      parts: [PHILOX_WGSL, GRID_WGSL, { name: 'philox_fill.wgsl', code: fillKernel }],
    });
    kernels.set(ctx.device, k);
  }
  return k;
}

/** The GPU twin of philoxBlocksCpu (and of its uniform/normal transforms, in float32). */
export async function philoxBlocksGpu(
  ctx: GpuContext,
  key: Key2,
  counter: Counter4,
  count: number,
  output: BlockOutput = 'bits',
): Promise<Uint32Array | Float32Array> {
  const kernel = await fillKernelFor(ctx);
  const bytes = 16 * count;
  const params = new Uint32Array([counter[0], counter[1], counter[2], counter[3], key[0], key[1], count, MODE[output]]);
  return ctx.checked('philox_fill', async () => {
    const uniform = createUniformBuffer(ctx, params, 'philox_fill params');
    const out = createStorageBuffer(ctx, bytes, 'philox_fill out');
    try {
      const encoder = ctx.device.createCommandEncoder({ label: 'philox_fill' });
      const pass = encoder.beginComputePass({ label: 'philox_fill' });
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, bindBuffers(ctx, kernel, [uniform, out]));
      dispatchGrid(pass, gridFor(Math.ceil(count / WG), ctx.summary.limits.maxComputeWorkgroupsPerDimension));
      pass.end();
      ctx.device.queue.submit([encoder.finish()]);
      const data = await readBuffer(ctx, out, bytes);
      return output === 'bits' ? new Uint32Array(data) : new Float32Array(data);
    } finally {
      uniform.destroy();
      out.destroy();
    }
  });
}
