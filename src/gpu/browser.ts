/** WebGPU in a browser: navigator.gpu, core adapter first, then a compatibility-mode one. */
import { GpuUnavailableError, openDevice, type GpuContext } from './device';

export const BROWSER_GUIDANCE =
  'This browser does not expose WebGPU (navigator.gpu). Use a current Chrome, Edge or Chromium ' +
  '(on Linux start it with --enable-unsafe-webgpu, plus --enable-features=Vulkan where needed), ' +
  'Safari 26 or later, or Firefox 141 or later on Windows; WebGPU also needs a secure context (https or localhost).';

/** A GpuContext on the browser's WebGPU adapter; throws GpuUnavailableError, saying what to do, when there is none. */
export async function requestBrowserGpu(): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new GpuUnavailableError(BROWSER_GUIDANCE);
  const adapter =
    (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ??
    (await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions));
  if (!adapter) {
    throw new GpuUnavailableError(
      'navigator.gpu exists but returned no adapter: WebGPU may be blocked for this GPU or driver ' +
        '(see chrome://gpu), or disabled by a browser flag or policy.',
    );
  }
  return openDevice(adapter, 'browser');
}
