import { describe, expect, it } from 'vitest';
import { philox4x32Into } from '../../src/rng/philox';
import { PhiloxBlockSource } from '../../src/rng/philoxWasm';

/** The blocks philox.ts gives for the same call. */
function reference(first: number, count: number, c1: number, c2: number, c3: number, k0: number, k1: number): Uint32Array {
  const out = new Uint32Array(4 * count);
  for (let i = 0; i < count; i++) philox4x32Into((first + i) >>> 0, c1, c2, c3, k0, k1, out, 4 * i);
  return out;
}

describe('Philox blocks in WebAssembly (philoxWasm.ts)', () => {
  it('runs as WebAssembly here (the CPU engine would otherwise fall back to philox.ts)', () => {
    expect(new PhiloxBlockSource().wasm).toBe(true);
    expect(new PhiloxBlockSource(false).wasm).toBe(false);
  });

  it('gives the blocks of philox4x32Into, bit for bit, for counters and keys across the 32-bit range', () => {
    const wasm = new PhiloxBlockSource();
    const js = new PhiloxBlockSource(false);
    let s = 12345;
    const next = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s;
    };
    const special = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];
    for (let t = 0; t < 300; t++) {
      const pick = () => (t % 3 === 0 ? special[next() % special.length] : next());
      const [first, c1, c2, c3, k0, k1] = [pick(), pick(), pick(), pick(), pick(), pick()];
      const count = 1 + (next() % 40);
      const want = reference(first, count, c1, c2, c3, k0, k1);
      expect(Array.from(wasm.fill(first, count, c1, c2, c3, k0, k1).subarray(0, 4 * count))).toEqual(Array.from(want));
      expect(Array.from(js.fill(first, count, c1, c2, c3, k0, k1).subarray(0, 4 * count))).toEqual(Array.from(want));
    }
  });

  it('grows its memory for long calls and keeps computing the same blocks', () => {
    const wasm = new PhiloxBlockSource();
    const count = 50_000; // 800 kB: beyond the module's first 64-KiB page
    const got = wasm.fill(7, count, 3, 2, 1, 99, 98).slice(0, 4 * count);
    expect(Array.from(got)).toEqual(Array.from(reference(7, count, 3, 2, 1, 99, 98)));
    expect(Array.from(wasm.fill(0, 2, 1, 1, 1, 1, 1).subarray(0, 8))).toEqual(Array.from(reference(0, 2, 1, 1, 1, 1, 1)));
  });
});
