/**
 * How much host memory a run's recording may take (src/model/recordingMemory.ts refuses runs
 * beyond it): in Node a share of the machine's memory, leaving room for the engine's state, the
 * runtime and the rest of the system; in a browser, where a tab gets far less than the machine
 * and no API says how much, a share of navigator.deviceMemory (which Chromium caps at 8 GB), or
 * 2 GB where that is missing. `import.meta.env.SSR` keeps node:os out of the browser bundle.
 */
import { formatBytes, type HostLimit } from '../model/recordingMemory';

/** The share of the machine's memory a recording may take in Node. */
export const NODE_MEMORY_SHARE = 0.75;
/** In a browser: the share of navigator.deviceMemory, and the limit when it is unknown. */
export const BROWSER_MEMORY_SHARE = 0.25;
export const BROWSER_DEFAULT_BYTES = 2e9;

export async function hostMemoryLimit(): Promise<HostLimit> {
  if (import.meta.env.SSR) {
    const total = (await import('node:os')).totalmem();
    return { bytes: NODE_MEMORY_SHARE * total, what: `${Math.round(100 * NODE_MEMORY_SHARE)} % of this machine's ${formatBytes(total)}` };
  }
  const gb = (globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined)?.deviceMemory;
  if (typeof gb === 'number' && gb > 0) {
    return { bytes: BROWSER_MEMORY_SHARE * gb * 1e9, what: `${Math.round(100 * BROWSER_MEMORY_SHARE)} % of the ${gb} GB this browser reports` };
  }
  return { bytes: BROWSER_DEFAULT_BYTES, what: 'the browser default: the device memory is not known' };
}
