/**
 * WGSL sources live in shaders/ and are imported with Vite's `?raw` suffix, the one loading
 * mechanism shared by the browser bundle, the CLI bundle and vitest. A kernel that uses a
 * library (shaders/lib/*.wgsl) is composed by concatenation, libraries first.
 */
import type { GpuContext } from './device';
import { GpuDeviceError } from './device';

export interface WgslPart {
  /** File name, for error messages. */
  name: string;
  code: string;
}

/** Joins libraries and a kernel into one module, with markers that error messages can point to. */
export function composeWgsl(parts: readonly WgslPart[]): string {
  return parts.map((p) => `// ---- ${p.name} ----\n${p.code}`).join('\n');
}

/** Maps a line of a composed module back to "file:line". */
function locate(parts: readonly WgslPart[], line: number): string {
  let start = 1;
  for (const p of parts) {
    const lines = p.code.split('\n').length + 1; // +1 for the marker
    if (line < start + lines) return `${p.name}:${line - start}`;
    start += lines;
  }
  return `line ${line}`;
}

export interface ComputeKernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/**
 * Compiles a compute kernel and fails with the compiler's messages (file:line) on any
 * error, instead of leaving it to a later, vaguer validation error.
 */
export async function createComputeKernel(
  ctx: GpuContext,
  opts: { label: string; parts: readonly WgslPart[]; entryPoint?: string; constants?: Record<string, number> },
): Promise<ComputeKernel> {
  const { device } = ctx;
  const code = composeWgsl(opts.parts);
  return ctx.checked(`compiling ${opts.label}`, async () => {
    const module = device.createShaderModule({ label: opts.label, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const text = errors.map((m) => `${locate(opts.parts, m.lineNum)}: ${m.message}`).join('\n');
      throw new GpuDeviceError(`WGSL errors in ${opts.label}:\n${text}`);
    }
    const pipeline = device.createComputePipeline({
      label: opts.label,
      layout: 'auto',
      compute: { module, entryPoint: opts.entryPoint ?? 'main', constants: opts.constants },
    });
    return { pipeline, layout: pipeline.getBindGroupLayout(0) };
  });
}

/**
 * Binds buffers to bindings 0, 1, 2, ... of group 0 in the order given. A null leaves its binding
 * out: an entry point of a multi-entry module that does not use a binding has no slot for it in
 * its automatic layout.
 */
export function bindBuffers(ctx: GpuContext, kernel: ComputeKernel, buffers: readonly (GPUBuffer | null)[], label?: string): GPUBindGroup {
  return ctx.device.createBindGroup({
    label,
    layout: kernel.layout,
    entries: buffers.flatMap((buffer, binding) => (buffer ? [{ binding, resource: { buffer } }] : [])),
  });
}
