/**
 * One GPUDevice for every engine, whichever platform provided the adapter.
 *
 * The platform providers (./browser.ts for navigator.gpu, ./node.ts for Dawn) only find an
 * adapter; this module turns it into a `GpuContext`: the device with the limits the engines
 * need, a summary of the adapter for logs and reports, and error plumbing that makes device
 * loss and uncaptured validation errors fail loudly instead of yielding wrong numbers.
 */

export type FeatureLevel = 'core' | 'compatibility';

/** Limits the engines size their work by; each is requested at the adapter's maximum. */
export const KEY_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupStorageSize',
  'maxBindGroups',
] as const;
export type KeyLimit = (typeof KEY_LIMITS)[number];

/**
 * What mesostp cannot work without. These are at or below the WebGPU compatibility-mode
 * defaults, so any conforming adapter passes; the check exists to name the limit when one
 * does not.
 */
export const REQUIRED_LIMITS: Readonly<Partial<Record<KeyLimit, number>>> = {
  maxStorageBuffersPerShaderStage: 4,
  maxComputeInvocationsPerWorkgroup: 128,
  maxComputeWorkgroupSizeX: 128,
  maxComputeWorkgroupStorageSize: 8192,
  maxComputeWorkgroupsPerDimension: 65535,
};

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  featureLevel: FeatureLevel;
  /** How the adapter was reached: 'browser', or the Dawn backend tried ('default', 'opengl', ...). */
  backend: string;
  /** True for CPU implementations (lavapipe/llvmpipe, SwiftShader, WARP, or any the browser calls a fallback adapter): their timings are not GPU timings. */
  software: boolean;
  /**
   * Loop iterations after which the adapter's shader compiler silently ends every loop of an
   * invocation (all loops of a shader count together), or null where none is known
   * (loopIterationCap: Mesa's llvmpipe before 25).
   */
  loopIterationCap: number | null;
  limits: Record<KeyLimit, number>;
}

/** No usable WebGPU adapter; the message says what to install or enable. */
export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}

/** The device was lost or reported an error: the results are not valid. */
export class GpuDeviceError extends Error {
  override name = 'GpuDeviceError';
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly summary: AdapterSummary;
  /** Throws GpuDeviceError if the device was lost or raised an error nobody captured. */
  assertHealthy(): void;
  /**
   * Runs `work` inside validation, out-of-memory and internal error scopes and throws
   * GpuDeviceError (naming `label`) if any of them caught an error.
   */
  checked<T>(label: string, work: () => T | Promise<T>): Promise<T>;
  destroy(): void;
}

const SOFTWARE_PATTERN = /llvmpipe|lavapipe|swiftshader|software|warp|microsoft basic render/i;

/**
 * The loop limiter of Mesa's gallivm (llvmpipe, lavapipe): LP_MAX_TGSI_LOOP_ITERATIONS, one
 * counter per invocation shared by every loop of the shader; once it runs out, every loop exits at
 * its next back edge, with no error. Measured on Mesa 22.3.6 llvmpipe (Dawn's OpenGL backend): a
 * loop of 100000 iterations ran 65535, a second loop after it ran 1 (docs/platform.md).
 */
export const MESA_LOOP_ITERATION_CAP = 65535;

/** The first Mesa release measured without the loop limiter (25.0.7); 23.x and 24.x are not measured and count as capped. */
export const MESA_UNCAPPED_FROM: readonly [number, number] = [25, 0];

/** The Mesa version an adapter names ("… Mesa 22.3.6", "llvmpipe: Mesa 25.0.7-2~bpo12+1 …"), or null. */
export function mesaVersion(text: string): [number, number, number] | null {
  const m = /\bMesa (\d+)\.(\d+)(?:\.(\d+))?/i.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

/** The names an adapter reports about itself (GPUAdapterInfo's, any of them possibly missing). */
type AdapterNames = { vendor?: string; architecture?: string; device?: string; description?: string };

/** Every name of an adapter in one string, which the software and loop-cap tests search. */
function adapterText(info: AdapterNames): string {
  return `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
}

/**
 * The loop iteration cap of an adapter: MESA_LOOP_ITERATION_CAP for Mesa's llvmpipe or lavapipe
 * older than MESA_UNCAPPED_FROM, or whose version is not reported; null otherwise (hardware
 * drivers, SwiftShader, WARP, Mesa ≥ 25). Kernels that loop over many steps in one dispatch (the
 * micro-gpu resident schedule, meso-gpu's chunks) return wrong results under a cap.
 */
export function loopIterationCap(info: AdapterNames): number | null {
  const text = adapterText(info);
  if (!/llvmpipe|lavapipe/i.test(text)) return null;
  const v = mesaVersion(text);
  if (v === null) return MESA_LOOP_ITERATION_CAP;
  const [major, minor] = MESA_UNCAPPED_FROM;
  return v[0] > major || (v[0] === major && v[1] >= minor) ? null : MESA_LOOP_ITERATION_CAP;
}

export function summarizeAdapter(adapter: GPUAdapter, backend: string): AdapterSummary {
  const info = adapter.info;
  const limits = {} as Record<KeyLimit, number>;
  for (const name of KEY_LIMITS) limits[name] = Number(adapter.limits[name]);
  const text = adapterText(info);
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    featureLevel: adapter.features.has('core-features-and-limits') ? 'core' : 'compatibility',
    backend,
    // The implementation's own flag where it sets one, and the names of the known CPU
    // implementations where it does not (older browsers and Dawn builds lack the flag).
    software: info.isFallbackAdapter === true || SOFTWARE_PATTERN.test(text),
    loopIterationCap: loopIterationCap(info),
    limits,
  };
}

/** A one-line name for logs: "mesa software (llvmpipe: Mesa 25.0.7 ...), core, via default". */
export function describeAdapter(s: AdapterSummary): string {
  const name = [s.vendor, s.architecture].filter(Boolean).join(' ') || 'vendor not reported';
  const detail = s.description || s.device;
  return `${name}${detail ? ` (${detail})` : ''}, ${s.featureLevel}${s.software ? ', software' : ''}, via ${s.backend}`;
}

export async function openDevice(adapter: GPUAdapter, backend: string): Promise<GpuContext> {
  const summary = summarizeAdapter(adapter, backend);
  const short: string[] = [];
  for (const [name, need] of Object.entries(REQUIRED_LIMITS) as [KeyLimit, number][]) {
    if (summary.limits[name] < need) short.push(`${name} = ${summary.limits[name]} (mesostp needs ≥ ${need})`);
  }
  if (short.length > 0) {
    throw new GpuUnavailableError(`The WebGPU adapter ${describeAdapter(summary)} is below mesostp's minimum limits: ${short.join('; ')}.`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of KEY_LIMITS) requiredLimits[name] = summary.limits[name];
  const device = await adapter.requestDevice({ label: 'mesostp', requiredLimits });

  let lost: string | null = null;
  const uncaptured: string[] = [];
  let destroyed = false;
  void device.lost.then((info) => {
    if (!destroyed) lost = `${info.reason}: ${info.message}`;
  });
  device.addEventListener('uncapturederror', (event) => {
    uncaptured.push((event as GPUUncapturedErrorEvent).error.message);
  });

  const assertHealthy = (): void => {
    if (lost !== null) throw new GpuDeviceError(`The GPU device was lost (${lost}); results after that point are not valid.`);
    if (uncaptured.length > 0) {
      const all = uncaptured.splice(0, uncaptured.length);
      throw new GpuDeviceError(`The GPU reported ${all.length} uncaptured error(s): ${all.join(' | ')}`);
    }
  };

  return {
    device,
    adapter,
    summary,
    assertHealthy,
    async checked<T>(label: string, work: () => T | Promise<T>): Promise<T> {
      device.pushErrorScope('internal');
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('validation');
      let result: T;
      try {
        result = await work();
      } finally {
        const errors = (await Promise.all([device.popErrorScope(), device.popErrorScope(), device.popErrorScope()]))
          .filter((e): e is GPUError => e !== null)
          .map((e) => e.message);
        // biome-ignore lint/correctness/noUnsafeFinally: a GPU error explains whatever the body threw, so it takes precedence
        if (errors.length > 0) throw new GpuDeviceError(`${label}: ${errors.join(' | ')}`);
      }
      assertHealthy();
      return result;
    },
    destroy(): void {
      destroyed = true;
      device.destroy();
    },
  };
}
