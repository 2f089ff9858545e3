/**
 * NumPy .npy files (format version 1.0), readable by numpy.load. Written by hand because the
 * format is tiny: a magic string, a header that is a Python dict literal padded so that the
 * data starts at a multiple of 64 bytes, then the raw little-endian array in C order.
 * Reference: numpy.lib.format (NEP 1).
 */

export type NpyArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

const DESCR: Record<string, string> = {
  Float64Array: '<f8',
  Float32Array: '<f4',
  Int32Array: '<i4',
  Uint32Array: '<u4',
  Uint8Array: '|u1',
};

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of a .npy file holding `data` with `shape` (C order; the product of shape must be data.length). */
export function encodeNpy(data: NpyArray, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new RangeError(`shape [${shape.join(', ')}] holds ${size} values, the array has ${data.length}`);
  if (!littleEndian) throw new Error('encodeNpy assumes a little-endian host');
  const descr = DESCR[data.constructor.name];
  if (!descr) throw new TypeError(`no .npy dtype for ${data.constructor.name}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  const total = Math.ceil((preamble + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - preamble - 1, ' ')}\n`;
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

/** Reads what encodeNpy writes (used by tests and by tools that load recordings back). */
export function decodeNpy(bytes: Uint8Array): { data: NpyArray; shape: number[] } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (!magic.every((b, i) => bytes[i] === b)) throw new Error('not a .npy file');
  if (bytes[6] !== 1) throw new Error(`unsupported .npy version ${bytes[6]}.${bytes[7]}`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const header = String.fromCharCode(...bytes.subarray(10, 10 + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  if (/'fortran_order':\s*True/.test(header)) throw new Error('Fortran-ordered .npy files are not supported');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const start = 10 + headerLength;
  // A copy into an ArrayBuffer of its own: a Node Buffer's slice() is a view into a shared pool.
  const raw = Uint8Array.prototype.slice.call(bytes, start).buffer;
  const ctor = { '<f8': Float64Array, '<f4': Float32Array, '<i4': Int32Array, '<u4': Uint32Array, '|u1': Uint8Array }[descr ?? ''];
  if (!ctor) throw new Error(`unsupported dtype ${descr}`);
  return { data: new ctor(raw), shape };
}
