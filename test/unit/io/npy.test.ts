import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../../src/io/npy';

describe('.npy files', () => {
  it('have the v1.0 layout: magic, 64-byte aligned header, C-order data', () => {
    const bytes = encodeNpy(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLength) % 64).toBe(0);
    const header = String.fromCharCode(...bytes.subarray(10, 10 + headerLength));
    expect(header).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect(new Float64Array(bytes.slice(10 + headerLength).buffer)).toEqual(new Float64Array([1, 2, 3, 4, 5, 6]));
  });

  it('round-trip every supported dtype and 1-D shapes', () => {
    for (const a of [new Float32Array([1.5, -2]), new Int32Array([7, -8, 9]), new Uint32Array([4294967295]), new Uint8Array([1, 0, 1])]) {
      const { data, shape } = decodeNpy(encodeNpy(a, [a.length]));
      expect(shape).toEqual([a.length]);
      expect(data).toEqual(a);
    }
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => encodeNpy(new Float64Array(5), [2, 3])).toThrow(/holds 6 values, the array has 5/);
  });

  // numpy is the real consumer; python3 with numpy is on these machines only sometimes, so the
  // check runs where numpy exists and the byte-level test above carries the format otherwise.
  it('loads in numpy when numpy is available', () => {
    let hasNumpy = true;
    try {
      execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    } catch {
      hasNumpy = false;
    }
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    try {
      const file = join(dir, 'a.npy');
      writeFileSync(file, encodeNpy(new Float32Array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]), [3, 2]));
      if (hasNumpy) {
        const out = execFileSync('python3', [
          '-c',
          `import numpy as np; a = np.load(${JSON.stringify(file)}); print(a.dtype, a.shape, float(a[2, 1]))`,
        ]).toString();
        expect(out.trim()).toBe('float32 (3, 2) 5.5');
      } else {
        expect(decodeNpy(new Uint8Array(readFileSync(file))).shape).toEqual([3, 2]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
