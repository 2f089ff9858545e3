import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Each test file gets its own process: Dawn (webgpu) is a native addon and is not
    // meant to be shared between worker threads.
    pool: 'forks',
    // Two cores on CI: more workers only add contention for the software GPU.
    maxWorkers: 2,
    // test/gpu/lifetime.gpu.test.ts forces garbage collections while the GPU is busy.
    execArgv: ['--expose-gc'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
