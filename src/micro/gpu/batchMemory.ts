/** The GPU buffers of one batch of trials: created, counted by label, and destroyed together. */
import type { GpuContext } from '../../gpu/device';
import { createStorageBuffer, createUniformBuffer } from '../../gpu/buffers';
import type { WgslFields, WgslStruct, WgslValues } from '../../gpu/wgsl';

export class BatchMemory {
  private readonly buffers: GPUBuffer[] = [];
  constructor(private readonly ctx: GpuContext) {}

  storage(bytes: number, label: string, usage = 0): GPUBuffer {
    const b = createStorageBuffer(this.ctx, Math.max(16, bytes), label, usage);
    this.buffers.push(b);
    return b;
  }

  upload(data: ArrayBufferView, label: string): GPUBuffer {
    const b = this.storage(data.byteLength, label);
    this.ctx.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  }

  /** A uniform buffer holding `values` packed as `struct`, by field name. */
  uniform<F extends WgslFields>(struct: WgslStruct<F>, values: WgslValues<F>, label: string): GPUBuffer {
    const b = createUniformBuffer(this.ctx, struct.pack(values), label);
    this.buffers.push(b);
    return b;
  }

  /** A uniform buffer of records packed as `struct`, `stride` bytes apart (for dynamic offsets). */
  uniformRecords<F extends WgslFields>(struct: WgslStruct<F>, records: readonly WgslValues<F>[], stride: number, label: string): GPUBuffer {
    const data = new ArrayBuffer(Math.max(1, records.length) * stride);
    const view = new DataView(data);
    records.forEach((values, i) => {
      struct.write(view, i * stride, values);
    });
    const b = createUniformBuffer(this.ctx, data, label);
    this.buffers.push(b);
    return b;
  }

  /** A fresh buffer for a binding the dispatch does not need: writable bindings of one dispatch must not alias. */
  unused(): GPUBuffer {
    return this.storage(16, 'micro-gpu unused binding');
  }

  /** Bytes of the batch's buffers, in all and by label. */
  bytes(): { total: number; byLabel: Record<string, number> } {
    const byLabel: Record<string, number> = {};
    let total = 0;
    for (const b of this.buffers) {
      byLabel[b.label] = (byLabel[b.label] ?? 0) + b.size;
      total += b.size;
    }
    return { total, byLabel };
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}
