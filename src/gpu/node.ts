/**
 * WebGPU in Node through Dawn (the `webgpu` npm package).
 *
 * Order of attempts (docs/platform.md has the background):
 *   1. Dawn's default backend (Vulkan on Linux, Metal on macOS, D3D12 on Windows) with a
 *      core adapter: a real GPU, or Mesa's lavapipe on a machine without one;
 *   2. Dawn's OpenGL backend on a surfaceless EGL display, compatibility feature level:
 *      Mesa's llvmpipe on a stock Debian 12 machine.
 * MESOSTP_GPU_BACKEND=vulkan|opengl|opengles|metal|d3d12|... forces one backend.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, globals } from 'webgpu';
import { GpuUnavailableError, openDevice, type FeatureLevel, type GpuContext } from './device';

interface Attempt {
  backend: string;
  flags: string[];
  featureLevel: FeatureLevel;
  env?: Record<string, string>;
}

export const NODE_GUIDANCE = [
  'mesostp found no WebGPU adapter through Dawn.',
  'On Debian 12 without a GPU, install a software driver as root:',
  '  bash scripts/install-system-deps.sh --vulkan   (Mesa lavapipe from bookworm-backports; full "core" WebGPU)',
  '  bash scripts/install-system-deps.sh --gl       (EGL/GLES for the OpenGL fallback; compatibility mode)',
  'With a GPU, install its Vulkan driver (Linux); macOS and Windows need nothing extra.',
  'scripts/setup.sh does all of this; docs/platform.md explains the options.',
].join('\n');

function attempts(): Attempt[] {
  const forced = process.env.MESOSTP_GPU_BACKEND?.trim();
  const gl: Attempt = {
    backend: 'opengl',
    flags: ['backend=opengl'],
    featureLevel: 'compatibility',
    env: { EGL_PLATFORM: 'surfaceless' },
  };
  if (forced && forced !== 'auto') {
    if (forced === 'opengl' || forced === 'opengles') return [{ ...gl, backend: forced, flags: [`backend=${forced}`] }];
    return [{ backend: forced, flags: [`backend=${forced}`], featureLevel: 'core' }];
  }
  const native = process.platform === 'darwin' ? 'metal' : process.platform === 'win32' ? 'd3d12' : 'vulkan';
  return [{ backend: `${native} (Dawn default)`, flags: [], featureLevel: 'core' }, gl];
}

let globalsInstalled = false;

/**
 * Every Dawn instance ever created, kept reachable for the life of the process. Dawn's GPU
 * object owns the native instance that processes device events; once V8 collects it, the
 * next mapAsync or onSubmittedWorkDone aborts the process ("std::system_error: Invalid
 * argument" or "The futex facility returned an unexpected error code"). Reproduced with
 * `node --expose-gc` forcing a collection during a readback; holding the object fixes it.
 */
const liveInstances: GPU[] = [];

/** Puts GPUBufferUsage, GPUMapMode, ... on globalThis, as a browser has them. */
export function installWebGpuGlobals(): void {
  if (globalsInstalled) return;
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  globalsInstalled = true;
}

function quietMesa(): void {
  // Mesa warns on every start when XDG_RUNTIME_DIR is unset.
  if (process.env.XDG_RUNTIME_DIR) return;
  const dir = join(tmpdir(), `mesostp-xdg-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}

/**
 * A GpuContext in Node through Dawn, trying the backends in the order above; throws
 * GpuUnavailableError with what to install when none gives an adapter. destroy() it when done.
 */
export async function requestNodeGpu(): Promise<GpuContext> {
  installWebGpuGlobals();
  quietMesa();
  const failures: string[] = [];
  for (const attempt of attempts()) {
    for (const [k, v] of Object.entries(attempt.env ?? {})) process.env[k] ??= v;
    try {
      const gpu = create(attempt.flags);
      liveInstances.push(gpu);
      const adapter = await gpu.requestAdapter({
        featureLevel: attempt.featureLevel,
        powerPreference: 'high-performance',
      } as GPURequestAdapterOptions);
      if (!adapter) {
        failures.push(`${attempt.backend} (${attempt.featureLevel}): no adapter`);
        continue;
      }
      return await openDevice(adapter, attempt.backend);
    } catch (error) {
      failures.push(`${attempt.backend} (${attempt.featureLevel}): ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new GpuUnavailableError(`${NODE_GUIDANCE}\nTried: ${failures.join('; ')}.`);
}
