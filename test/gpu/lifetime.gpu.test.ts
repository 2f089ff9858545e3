/**
 * Regression test: garbage collection while the GPU works must not take Dawn down.
 * Dawn's `GPU` object (from `create()`) owns the native instance that processes device
 * events; when V8 collected it during a mapAsync, the process aborted ("std::system_error:
 * Invalid argument"). src/gpu/node.ts keeps every instance reachable; without that, this
 * file's worker process dies and the run fails.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { philoxBlocksCpu, philoxBlocksGpu } from '../../src/rng/philoxBlocks';

const gc = (globalThis as { gc?: () => void }).gc;

describe('GPU object lifetimes under garbage collection', () => {
  it('runs with --expose-gc (see vitest.config.ts), or the test would prove nothing', () => {
    expect(typeof gc).toBe('function');
  });

  it('readbacks stay correct when collections run during every wait', async () => {
    const ctx = await testGpu();
    const expected = philoxBlocksCpu([3, 4], [0, 0, 0, 0], 8192);
    for (let i = 0; i < 12; i++) {
      const timer = setInterval(() => gc?.(), 1);
      try {
        const words = (await philoxBlocksGpu(ctx, [3, 4], [0, 0, 0, 0], 8192, 'bits')) as Uint32Array;
        expect(words).toEqual(expected);
      } finally {
        clearInterval(timer);
      }
      gc?.();
    }
    ctx.assertHealthy();
  });
});
