/**
 * One measurement: one engine runs one benchmark case in a fresh `mesostp run` process, so that
 * the peak host memory is that run's alone and no run inherits another's warm caches or heap.
 * Wall time, set-up time and GPU buffer sizes come from the run's summary.json; the work done
 * (neuron-steps, synaptic events, trial-steps) from the scenario and the recorded rates.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeNpy } from '../src/io/npy';
import { parseScenario } from '../src/model/validate';
import { variantCliArgs, type BenchVariantId } from '../src/engines';
import { meanOutDegree, type BenchCase, type BenchEngine } from './cases';

const execFileAsync = promisify(execFile);

export interface Measurement {
  engine: BenchEngine;
  /** Seconds of the whole run as the engine reports it (set-up included), and of the set-up alone. */
  wallSeconds: number;
  setupSeconds: number;
  /** Simulated seconds × trials. */
  trialSeconds: number;
  neuronSteps: number;
  synapticEvents: number;
  trialSteps: number;
  peakHostBytes: number;
  /** micro-gpu: bytes of the largest batch's buffers, and of each projection's STP state (variables and last-update steps). */
  gpuBytes: number | null;
  stpStateBytes: Record<string, number>;
  /** micro-gpu: the adapter it ran on. */
  adapter?: string;
  /** micro-gpu: the step schedule it ran ('general', 'fused', 'resident') and its dispatches per step. */
  schedule?: { mode: string; dispatchesPerStep: number };
  /** A run the engine refused (e.g. a network beyond the adapter's limits): its message. */
  refused?: string;
  /** Cases with a peer: what shows that every engine ran the same network. */
  stats?: SameNetworkStats;
  /** A peer run: Brian2's target, version and threads, its import time and its own main-loop time. */
  peer?: { target: string; brian2: string; threads: number; importSeconds: number; runSeconds: number };
}

/**
 * Mean rate of every population (Hz), mean recorded input (mV; null when none is recorded) and
 * the mean STP variables of every STP projection at the end of the run (empty when not recorded).
 */
export interface SameNetworkStats {
  rateHz: Record<string, number>;
  meanInput: number | null;
  stpEnd: Record<string, Record<string, number>>;
}

/** The variant's `mesostp run` options from the registry; "auto" threads become this host's core count. */
function cliArgs(engine: BenchVariantId): string[] {
  return variantCliArgs(engine, () => availableParallelism());
}

/** Runs `engine` on `c` with the CLI at `cli` (the bundled bin/mesostp.js or its test build), in one block of trials (one set-up, as the engines' own timings assume). */
export async function measure(cli: string, c: BenchCase, engine: BenchVariantId): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'mesostp-bench-'));
  try {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(c.scenario));
    try {
      await execFileAsync(
        process.execPath,
        [cli, 'run', file, ...cliArgs(engine), '--block-trials', String(c.scenario.run.trials), '--out', join(dir, 'out')],
        { maxBuffer: 1 << 24 },
      );
    } catch (error) {
      return { ...emptyMeasurement(engine), refused: refusalReason(String((error as { stderr?: string }).stderr ?? error)) };
    }
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    const m = fromSummary(c, engine, summary);
    return c.peer ? { ...m, stats: sameNetworkStats(summary, join(dir, 'out')) } : m;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CLI's own error line(s) of a refused run, without the driver's warnings around them. */
export function refusalReason(stderr: string): string {
  const at = stderr.indexOf('mesostp:');
  if (at >= 0) return stderr.slice(at).replace(/\s+/g, ' ').trim();
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Warning:'))
    .slice(-3)
    .join(' ');
}

/** The statistics of a run's summary.json, with the STP state of the last bin (relaxed to the end of the run) from its arrays. */
export function sameNetworkStats(summary: Record<string, any>, out: string): SameNetworkStats {
  const rateHz: Record<string, number> = {};
  for (const [name, p] of Object.entries(summary.populations as Record<string, { rateHz: number }>)) rateHz[name] = p.rateHz;
  const inputs = Object.values(summary.inputs ?? {}) as { mean: number }[];
  const stpEnd: Record<string, Record<string, number>> = {};
  for (const [key, file] of Object.entries(summary.files as Record<string, string>)) {
    const m = /^stp\.(.+)\.([^.]+)$/.exec(key);
    if (!m) continue;
    const { data, shape } = decodeNpy(new Uint8Array(readFileSync(join(out, file))));
    // [trials × bins]: the mean over trials of the last bin.
    const bins = shape[shape.length - 1];
    const trials = data.length / bins;
    let sum = 0;
    for (let k = 0; k < trials; k++) sum += data[k * bins + bins - 1];
    stpEnd[m[1]] = { ...stpEnd[m[1]], [m[2]]: sum / trials };
  }
  return { rateHz, meanInput: inputs.length > 0 ? inputs[0].mean : null, stpEnd };
}

export function emptyMeasurement(engine: BenchEngine): Measurement {
  return {
    engine,
    wallSeconds: NaN,
    setupSeconds: NaN,
    trialSeconds: 0,
    neuronSteps: 0,
    synapticEvents: 0,
    trialSteps: 0,
    peakHostBytes: NaN,
    gpuBytes: null,
    stpStateBytes: {},
  };
}

/** The figures of one run from its summary.json. */
export function fromSummary(c: BenchCase, engine: BenchEngine, summary: Record<string, any>): Measurement {
  const s = parseScenario(c.scenario) as unknown as Record<string, any>;
  const trials: number = summary.trials;
  const duration: number = summary.completedDuration;
  const steps = Math.round(duration / s.run.dt);
  const neurons = Object.values(s.populations as Record<string, { N: number; model: string }>).reduce((n, p) => n + p.N, 0);
  let events = 0;
  for (const p of s.projections) {
    const spikes = summary.populations[p.from].rateHz * s.populations[p.from].N * duration * trials;
    events += spikes * meanOutDegree(s, p);
  }
  const e = summary.engine ?? {};
  const byLabel: Record<string, number> = e.gpuBufferBytes?.byLabel ?? {};
  // The STP state of a projection: its variables and the step of their last update.
  const stpStateBytes: Record<string, number> = {};
  for (const [label, b] of Object.entries(byLabel)) {
    const m = / STP (state|update steps)$/.exec(label);
    if (m) {
      const name = label.slice(0, m.index);
      stpStateBytes[name] = (stpStateBytes[name] ?? 0) + b;
    }
  }
  return {
    engine,
    wallSeconds: summary.wallSeconds,
    setupSeconds: typeof e.setupSeconds === 'number' ? e.setupSeconds : NaN,
    trialSeconds: trials * duration,
    neuronSteps: trials * neurons * steps,
    synapticEvents: events,
    trialSteps: trials * steps,
    peakHostBytes: typeof e.peakHostBytes === 'number' ? e.peakHostBytes : NaN,
    gpuBytes: typeof e.gpuBufferBytes?.largestBatch === 'number' ? e.gpuBufferBytes.largestBatch : null,
    stpStateBytes,
    ...(typeof e.adapter === 'string' ? { adapter: e.adapter } : {}),
    ...(typeof e.mode === 'string' && typeof e.dispatchesPerStep === 'number' ? { schedule: { mode: e.mode, dispatchesPerStep: e.dispatchesPerStep } } : {}),
  };
}
