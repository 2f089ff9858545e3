/** Creating storage buffers, uploading typed arrays and reading results back. */
import type { AdapterSummary, GpuContext } from './device';
import { GpuDeviceError } from './device';

type Typed = Float32Array | Uint32Array | Int32Array;

/** Storage buffers must be a multiple of 4 bytes and not empty. */
function paddedSize(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

export function checkBindingSize(ctx: GpuContext, bytes: number, what: string): void {
  checkBindingSizeWithin(ctx.summary.limits, bytes, what);
}

/** checkBindingSize for planning code that has limits but no device (and for tests with made-up limits). */
export function checkBindingSizeWithin(limits: Pick<AdapterSummary['limits'], 'maxStorageBufferBindingSize'>, bytes: number, what: string): void {
  const max = limits.maxStorageBufferBindingSize;
  if (bytes > max) {
    throw new GpuDeviceError(
      `${what} needs ${bytes} bytes in one storage binding, but this adapter allows ${max} ` +
        `(maxStorageBufferBindingSize); reduce the size or split the data`,
    );
  }
}

export function createStorageBuffer(ctx: GpuContext, bytes: number, label: string, extraUsage: number = 0): GPUBuffer {
  checkBindingSize(ctx, bytes, label);
  return ctx.device.createBuffer({
    label,
    size: paddedSize(bytes),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
  });
}

export function uploadStorageBuffer(ctx: GpuContext, data: Typed, label: string): GPUBuffer {
  const buffer = createStorageBuffer(ctx, data.byteLength, label);
  ctx.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

export function createUniformBuffer(ctx: GpuContext, data: ArrayBuffer | ArrayBufferView, label: string): GPUBuffer {
  const bytes = data.byteLength;
  const buffer = ctx.device.createBuffer({
    label,
    size: paddedSize(bytes),
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  if (ArrayBuffer.isView(data)) ctx.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, bytes);
  else ctx.device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/**
 * Records a copy of `bytes` of `source` into a staging buffer on `encoder`, so a readback can
 * share the submit of the work that produced the data. Call the returned function after
 * submitting the encoder; it waits for the GPU and frees the staging buffer.
 */
export function encodeReadback(ctx: GpuContext, encoder: GPUCommandEncoder, source: GPUBuffer, bytes: number, offset = 0): () => Promise<ArrayBuffer> {
  const size = Math.ceil(bytes / 4) * 4;
  const staging = ctx.device.createBuffer({ label: 'readback', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  encoder.copyBufferToBuffer(source, offset, staging, 0, size);
  return async () => {
    try {
      try {
        await staging.mapAsync(GPUMapMode.READ);
      } catch (error) {
        // Dawn rejects with an empty AbortError when the device is gone: say which.
        ctx.assertHealthy();
        const e = error as Error;
        throw new GpuDeviceError(`reading back ${bytes} bytes from ${source.label || 'a buffer'} failed: ${e.message || e.name}`);
      }
      const copy = staging.getMappedRange().slice(0, bytes);
      staging.unmap();
      ctx.assertHealthy();
      return copy;
    } finally {
      staging.destroy();
    }
  };
}

/** Copies `bytes` from a storage buffer into a fresh ArrayBuffer (waits for the GPU). */
export async function readBuffer(ctx: GpuContext, source: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
  const encoder = ctx.device.createCommandEncoder({ label: 'readback' });
  const finish = encodeReadback(ctx, encoder, source, bytes, offset);
  ctx.device.queue.submit([encoder.finish()]);
  return finish();
}
