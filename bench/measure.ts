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
import { parseScenario } from '../src/model/validate';
import { variantCliArgs } from '../src/engines';
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
  /** A run the engine refused (e.g. a network beyond the adapter's limits): its message. */
  refused?: string;
}

/** The variant's `mesostp run` options from the registry; "auto" threads become this host's core count. */
function cliArgs(engine: BenchEngine): string[] {
  return variantCliArgs(engine, () => availableParallelism());
}

/** Runs `engine` on `c` with the CLI at `cli` (the bundled bin/mesostp.js or its test build). */
export async function measure(cli: string, c: BenchCase, engine: BenchEngine): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'mesostp-bench-'));
  try {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(c.scenario));
    try {
      await execFileAsync(process.execPath, [cli, 'run', file, ...cliArgs(engine), '--out', join(dir, 'out')], { maxBuffer: 1 << 24 });
    } catch (error) {
      return { ...empty(engine), refused: refusalReason(String((error as { stderr?: string }).stderr ?? error)) };
    }
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    return fromSummary(c, engine, summary);
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

function empty(engine: BenchEngine): Measurement {
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
  };
}
