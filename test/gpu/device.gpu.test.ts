/**
 * Errors must surface as errors, never as silent wrong numbers: uncaptured validation errors,
 * device loss, errors inside ctx.checked, and adapters below mesostp's minimum limits.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { requestNodeGpu } from '../../src/gpu/node';
import { GpuDeviceError, GpuUnavailableError, KEY_LIMITS, openDevice, REQUIRED_LIMITS } from '../../src/gpu/device';
import { createStorageBuffer, readBuffer } from '../../src/gpu/buffers';

describe('GpuContext error plumbing', () => {
  it('requests the adapter maxima for every key limit', async () => {
    const ctx = await testGpu();
    for (const name of KEY_LIMITS) expect(Number(ctx.device.limits[name]), name).toBe(ctx.summary.limits[name]);
  });

  it('reports an uncaptured validation error at the next health check', async () => {
    const ctx = await requestNodeGpu();
    try {
      // An invalid usage flag outside any error scope: WebGPU only raises an event.
      ctx.device.createBuffer({ size: 16, usage: 0xffff_0000 });
      await ctx.device.queue.onSubmittedWorkDone();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(() => ctx.assertHealthy()).toThrow(GpuDeviceError);
      expect(() => ctx.assertHealthy()).not.toThrow(); // reported once, then cleared
    } finally {
      ctx.destroy();
    }
  });

  it('ctx.checked turns a validation error inside its work into a GpuDeviceError naming the label', async () => {
    const ctx = await testGpu();
    await expect(ctx.checked('bad buffer', () => ctx.device.createBuffer({ size: 16, usage: 0xffff_0000 }))).rejects.toThrow(/bad buffer: .*usage/i);
    ctx.assertHealthy();
  });

  it('a lost device makes every later readback fail instead of returning numbers', async () => {
    const ctx = await requestNodeGpu();
    const buffer = createStorageBuffer(ctx, 64, 'probe');
    ctx.device.destroy(); // not ctx.destroy(): an unexpected loss, as when a driver resets
    await ctx.device.lost;
    await expect(readBuffer(ctx, buffer, 64)).rejects.toThrow(/lost|destroyed|invalid/i);
    expect(() => ctx.assertHealthy()).toThrow(/GPU device was lost/);
  });

  it('refuses an adapter below the minimum limits and names the limit', async () => {
    const ctx = await testGpu();
    const real = ctx.adapter;
    // The real adapter with one limit reported below mesostp's minimum.
    const limits = new Proxy(real.limits, {
      get: (target, key) => (key === 'maxComputeInvocationsPerWorkgroup' ? REQUIRED_LIMITS.maxComputeInvocationsPerWorkgroup! - 1 : Reflect.get(target, key)),
    });
    const weak = new Proxy(real, {
      get: (target, key) => (key === 'limits' ? limits : Reflect.get(target, key, target)),
    });
    await expect(openDevice(weak, 'test')).rejects.toThrow(GpuUnavailableError);
    await expect(openDevice(weak, 'test')).rejects.toThrow(/maxComputeInvocationsPerWorkgroup = 127 \(mesostp needs ≥ 128\)/);
  });
});
