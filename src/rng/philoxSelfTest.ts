/**
 * The one Philox self-test: the WGSL generator (shaders/philox_fill.wgsl, through
 * philoxBlocksGpu) must reproduce the TypeScript one (philoxBlocksCpu) bit for bit, both as raw
 * 32-bit words and as float32 uniforms. `mesostp info` runs a short version, the app runs it on
 * the page's adapter (src/app/ui/selfTestPanel.ts renders it), and test/gpu/philox.gpu.test.ts
 * uses its cases. No DOM and no Node code, so it runs in both.
 */
import { describeAdapter, type GpuContext } from '../gpu/device';
import type { Counter4, Key2 } from './philox';
import { philoxBlocksCpu, philoxBlocksGpu, uniformsFromBits } from './philoxBlocks';

export type SelfTestStatus = 'running' | 'passed' | 'failed' | 'unavailable';

/** What the page publishes as `window.__mesostpSelfTest` (and end-to-end tests wait for). */
export interface SelfTestState {
  status: SelfTestStatus;
  /** describeAdapter() of the adapter the test ran on; null while unknown or when there is none. */
  adapter: string | null;
  wordsCompared: number;
  mismatches: number;
  /** Why the test failed or could not run. */
  error?: string;
}

export interface SelfTestCase {
  key: Key2;
  counter: Counter4;
}

/**
 * Zero key and counter, an ordinary pair, all-ones keys with a counter that wraps past 2^32, and
 * a large mixed counter.
 */
export const SELF_TEST_CASES: readonly SelfTestCase[] = [
  { key: [0, 0], counter: [0, 0, 0, 0] },
  { key: [20261122, 7], counter: [0, 1000, 3, (1 << 24) | 5] },
  { key: [0xffffffff, 0xffffffff], counter: [0xffffffff - 30000, 0xffffffff, 0xffffffff, 0xffffffff] },
  { key: [0x9e3779b9, 42], counter: [123456, 0xdeadbeef, 1023, 0xff000000] },
];

/** Blocks per case: 4 cases × 2^16 blocks × 4 words = 2^20 words per output kind. */
export const SELF_TEST_BLOCKS = 1 << 16;

export type SelfTestOutput = 'bits' | 'uniform';

export interface SelfTestCheck {
  key: Key2;
  counter: Counter4;
  output: SelfTestOutput;
  words: number;
  mismatches: number;
  /** The first differing word, or null when all agree. */
  firstMismatch: { index: number; gpu: number; cpu: number } | null;
  /** Wall time of the GPU call (dispatch and readback), in milliseconds. */
  gpuMs: number;
}

export interface SelfTestReport extends SelfTestState {
  status: 'passed' | 'failed';
  checks: SelfTestCheck[];
  /** Wall time of the whole test (GPU, CPU reference and comparison), in milliseconds. */
  elapsedMs: number;
}

export interface SelfTestOptions {
  cases?: readonly SelfTestCase[];
  blocks?: number;
  /** Called after every check with the checks so far, e.g. to show progress. */
  onCheck?: (check: SelfTestCheck, done: readonly SelfTestCheck[]) => void;
  /** Clock in milliseconds; performance.now by default. */
  now?: () => number;
}

function compare(gpu: ArrayLike<number>, cpu: ArrayLike<number>): Pick<SelfTestCheck, 'mismatches' | 'firstMismatch'> {
  let mismatches = 0;
  let firstMismatch: SelfTestCheck['firstMismatch'] = null;
  // A length difference counts every missing word as a mismatch.
  const n = Math.max(gpu.length, cpu.length);
  for (let i = 0; i < n; i++) {
    if (gpu[i] !== cpu[i]) {
      mismatches++;
      if (firstMismatch === null) firstMismatch = { index: i, gpu: gpu[i], cpu: cpu[i] };
    }
  }
  return { mismatches, firstMismatch };
}

/**
 * Runs every case for raw words and for uniforms. Mismatches do not throw: they are counted
 * and the report says 'failed'. GPU errors (validation, device loss) do throw, as GpuDeviceError.
 */
export async function runPhiloxSelfTest(ctx: GpuContext, options: SelfTestOptions = {}): Promise<SelfTestReport> {
  const cases = options.cases ?? SELF_TEST_CASES;
  const blocks = options.blocks ?? SELF_TEST_BLOCKS;
  const now = options.now ?? (() => performance.now());
  const checks: SelfTestCheck[] = [];
  const record = (check: SelfTestCheck): void => {
    checks.push(check);
    options.onCheck?.(check, checks);
  };

  const start = now();
  for (const { key, counter } of cases) {
    let t = now();
    const gpuBits = await philoxBlocksGpu(ctx, key, counter, blocks, 'bits');
    let gpuMs = now() - t;
    const cpuBits = philoxBlocksCpu(key, counter, blocks);
    record({ key, counter, output: 'bits', words: cpuBits.length, ...compare(gpuBits, cpuBits), gpuMs });

    // Every uniform is a float32 value, so the GPU's float32 equals the CPU's float64 exactly.
    t = now();
    const gpuUniforms = await philoxBlocksGpu(ctx, key, counter, blocks, 'uniform');
    gpuMs = now() - t;
    const cpuUniforms = uniformsFromBits(cpuBits);
    record({ key, counter, output: 'uniform', words: cpuUniforms.length, ...compare(gpuUniforms, cpuUniforms), gpuMs });
  }
  ctx.assertHealthy();

  const wordsCompared = checks.reduce((sum, c) => sum + c.words, 0);
  const mismatches = checks.reduce((sum, c) => sum + c.mismatches, 0);
  return {
    status: mismatches === 0 && wordsCompared > 0 ? 'passed' : 'failed',
    adapter: describeAdapter(ctx.summary),
    wordsCompared,
    mismatches,
    checks,
    elapsedMs: now() - start,
  };
}

/** "0x0000000a" style, for keys, counters and raw words. */
export function hex32(x: number): string {
  return `0x${(x >>> 0).toString(16).padStart(8, '0')}`;
}
