import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { philoxBlocksCpu, philoxBlocksGpu, normalsFromBits, uniformsFromBits } from '../../src/rng/philoxBlocks';
import { SELF_TEST_BLOCKS, SELF_TEST_CASES } from '../../src/rng/philoxSelfTest';
import { ksOneSample } from '../../src/analysis/kolmogorovSmirnov';
import { normalCdf, uniformCdf } from '../../src/analysis/distributions';

// The self-test's four key/counter sets × 2^16 blocks × 4 words = 2^20 (> 10^6) draws, including
// a counter that wraps past 2^32 and all-ones keys.
const CASES = SELF_TEST_CASES;
const BLOCKS = SELF_TEST_BLOCKS;

describe('Philox on the GPU (WGSL twin of src/rng/philox.ts)', () => {
  it('raw words equal the TypeScript generator bit for bit (2^20 draws)', async () => {
    const ctx = await testGpu();
    let compared = 0;
    for (const { key, counter } of CASES) {
      const gpu = (await philoxBlocksGpu(ctx, key, counter, BLOCKS, 'bits')) as Uint32Array;
      const cpu = philoxBlocksCpu(key, counter, BLOCKS);
      let firstMismatch = -1;
      for (let i = 0; i < cpu.length && firstMismatch < 0; i++) if (gpu[i] !== cpu[i]) firstMismatch = i;
      expect(firstMismatch, `key ${key} counter ${counter}: first differing word`).toBe(-1);
      compared += cpu.length;
    }
    expect(compared).toBeGreaterThanOrEqual(1_000_000);
  });

  it('uniforms equal the TypeScript ones exactly and pass a Kolmogorov–Smirnov test', async () => {
    const ctx = await testGpu();
    for (const { key, counter } of CASES) {
      const gpu = (await philoxBlocksGpu(ctx, key, counter, BLOCKS, 'uniform')) as Float32Array;
      const cpu = uniformsFromBits(philoxBlocksCpu(key, counter, BLOCKS));
      let mismatches = 0;
      for (let i = 0; i < cpu.length; i++) mismatches += Number(gpu[i] !== cpu[i]);
      expect(mismatches).toBe(0);
      expect(ksOneSample(gpu, uniformCdf).pValue).toBeGreaterThan(1e-4);
    }
  });

  it('normals agree with the float64 Box–Muller within float32 accuracy and pass a KS test', async () => {
    const ctx = await testGpu();
    for (const { key, counter } of CASES) {
      const gpu = (await philoxBlocksGpu(ctx, key, counter, BLOCKS, 'normal')) as Float32Array;
      const cpu = normalsFromBits(philoxBlocksCpu(key, counter, BLOCKS));
      let worst = 0;
      for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]) / Math.max(1, Math.abs(cpu[i])));
      // float32 log/sqrt/cos/sin of an argument up to 2π: a few ulp of 2π ≈ 1e-6 each.
      expect(worst).toBeLessThan(2e-5);
      expect(ksOneSample(gpu, normalCdf).pValue).toBeGreaterThan(1e-4);
    }
  });
});
