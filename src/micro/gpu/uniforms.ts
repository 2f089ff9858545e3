/**
 * Writing the kernels' uniform structs. Each struct in shaders/micro is a run of 4-byte u32/f32
 * fields (vec4s and nested structs padded to 16 bytes there), so the host side is a list of
 * fields in declaration order.
 */
export type Field = ['u32' | 'f32', number];

export const u32 = (v: number): Field => ['u32', v];
export const f32 = (v: number): Field => ['f32', v];

/** Packs fields in order, padded to a multiple of 16 bytes (uniform buffer granularity). */
export function packUniform(fields: readonly Field[]): ArrayBuffer {
  const bytes = Math.max(16, Math.ceil((fields.length * 4) / 16) * 16);
  const buffer = new ArrayBuffer(bytes);
  const view = new DataView(buffer);
  fields.forEach(([type, v], i) => {
    if (type === 'u32') {
      if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) throw new RangeError(`uniform field ${i}: ${v} is not a u32`);
      view.setUint32(4 * i, v, true);
    } else view.setFloat32(4 * i, v, true);
  });
  return buffer;
}
