/**
 * A roofline-style estimate: how many bytes the micro engines move per neuron-step and per
 * synaptic event (a model of their memory traffic, counted from the buffers each kernel reads and
 * writes, caches ignored), and the host's memory bandwidth measured by copying a large array.
 * On a software adapter the GPU's memory is the host's, so the same bandwidth bounds both engines.
 */
import { parseScenario } from '../src/model/validate';
import type { BenchCase } from './cases';
import { variant, type BenchVariantId } from '../src/engines';
import type { Measurement } from './measure';

export interface HostBandwidth {
  /** Bytes read plus written per second by a typed-array copy of `bytes` bytes (best of several). */
  bytesPerSecond: number;
  bytes: number;
}

/** Copies a 128 MiB Float64Array a few times and keeps the best rate (read + write bytes). */
export function measureHostBandwidth(bytes = 128 * 2 ** 20, repeats = 5): HostBandwidth {
  const n = bytes / 8;
  const a = new Float64Array(n).fill(1);
  const b = new Float64Array(n);
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    b.set(a);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, (2 * bytes) / s);
  }
  // Use b so the copy cannot be elided.
  if (b[n - 1] !== 1) throw new Error('measureHostBandwidth: copy failed');
  return { bytesPerSecond: best, bytes };
}

export interface BytesModel {
  perNeuronStep: number;
  perEvent: number;
  /** How the numbers were counted. */
  basis: string;
}

/**
 * Bytes per neuron-step and per synaptic event of a micro engine on a case. micro-gpu (float32,
 * i32): a neuron step reads and writes V and the refractory counter (2 × 4 B each), reads and
 * clears its input sum (2 × 4 B) and writes its spike flag (4 B): 28 B. An event reads its target
 * (4 B, explicit CSR; none when procedural) and adds into the target's ring slot (read + write,
 * 8 B); STP per presynaptic neuron adds one read and write of (x, last update) per spike, spread
 * over the C events it causes; per synapse, each event reads and writes x and its last update
 * (16 B). micro-cpu (float64) moves twice the state bytes for the same work.
 */
export function bytesModel(c: BenchCase, engine: BenchVariantId, m: Measurement): BytesModel {
  const s = parseScenario(c.scenario) as unknown as {
    projections: { storage: string; heterogeneity?: unknown; stp: { model: string }; connectivity: { type: string; C?: number; p?: number } }[];
  };
  const gpu = variant(engine).engine === 'micro-gpu';
  const word = gpu ? 4 : 8;
  const perNeuronStep = 7 * word;
  // Average the per-event bytes over the projections, weighted equally (the recurrent one dominates the events).
  let perEvent = 0;
  for (const p of s.projections) {
    const index = gpu && p.storage === 'procedural' ? 0 : 4;
    let stp = 0;
    if (p.stp.model !== 'none') {
      const perSynapse = p.heterogeneity !== undefined;
      const fan = m.synapticEvents > 0 ? Math.max(1, p.connectivity.C ?? 100) : 1;
      stp = perSynapse ? 4 * word : (4 * word) / fan;
    }
    perEvent = Math.max(perEvent, index + 2 * word + stp);
  }
  return { perNeuronStep, perEvent, basis: `${word}-byte state words; explicit targets 4 B; ring read+write; STP state read+write` };
}
