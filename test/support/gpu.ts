/**
 * The GPU every GPU test runs on. There is no skip: without a WebGPU adapter these tests
 * fail with the guidance of src/gpu/node.ts (what to install). The adapter is printed once
 * per test file so the log shows what the GPU tests ran on.
 */
import { afterAll } from 'vitest';
import { describeAdapter, type GpuContext } from '../../src/gpu/device';
import { requestNodeGpu } from '../../src/gpu/node';

let pending: Promise<GpuContext> | null = null;

export function testGpu(): Promise<GpuContext> {
  if (!pending) {
    pending = requestNodeGpu().then((ctx) => {
      console.log(`[mesostp] GPU tests run on: ${describeAdapter(ctx.summary)}`);
      return ctx;
    });
    afterAll(async () => {
      const ctx = await pending;
      ctx?.assertHealthy();
      ctx?.destroy();
    });
  }
  return pending;
}
