/**
 * Bulk Binomial(n, p) draws on the GPU through the meso-gpu engine's sampler (binomial.wgsl), one
 * invocation per draw: what test/gpu/mesoGpuBinomial.gpu.test.ts weighs against the exact
 * probabilities, and the sampler's cost measured on its own.
 */
import type { GpuContext } from '../../../gpu/device';
import { createStorageBuffer, createUniformBuffer, readBuffer } from '../../../gpu/buffers';
import { bindBuffers, createComputeKernel, PHILOX_WGSL, wgslStruct } from '../../../gpu/wgsl';
import { Purpose, purposeWord, seedWord } from '../../../rng/streams';
import binomialCode from './binomial.wgsl?raw';
import code from './binomialDraws.wgsl?raw';

export const BINOMIAL_WGSL = { name: 'src/meso/gpu/kernels/binomial.wgsl', code: binomialCode };

export const DrawParams = wgslStruct('DrawParams', { n: 'u32', p: 'f32', count: 'u32', seed: 'u32', stream: 'u32', purpose_word: 'u32' });

const WORKGROUP = 64;
/** One dispatch of at most 65535 workgroups. */
const MAX_DRAWS = 65535 * WORKGROUP;

/** `count` draws from Binomial(n, p) (p rounded to float32, as the engine passes it), key (seed, stream), purpose mesoCount. */
export async function binomialDraws(gpu: GpuContext, n: number, p: number, count: number, seed: number, stream = 0): Promise<Uint32Array> {
  if (!(Number.isInteger(n) && n >= 0 && n <= 0xffffffff)) throw new RangeError(`n must be a u32, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must lie in [0, 1], got ${p}`);
  if (!(Number.isInteger(count) && count > 0 && count <= MAX_DRAWS)) throw new RangeError(`count must be an integer in [1, ${MAX_DRAWS}], got ${count}`);
  const kernel = await createComputeKernel(gpu, {
    label: 'meso-gpu binomialDraws',
    parts: [PHILOX_WGSL, BINOMIAL_WGSL, DrawParams.part, { name: 'src/meso/gpu/kernels/binomialDraws.wgsl', code }],
  });
  const params = createUniformBuffer(
    gpu,
    DrawParams.pack({ n, p, count, seed: seedWord(seed), stream, purpose_word: purposeWord(Purpose.mesoCount) }),
    'binomial draw parameters',
  );
  const out = createStorageBuffer(gpu, 4 * count, 'binomial draws');
  try {
    const encoder = gpu.device.createCommandEncoder({ label: 'binomial draws' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindBuffers(gpu, kernel, [params, out]));
    pass.dispatchWorkgroups(Math.ceil(count / WORKGROUP));
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    return new Uint32Array(await readBuffer(gpu, out, 4 * count));
  } finally {
    params.destroy();
    out.destroy();
  }
}
