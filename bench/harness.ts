/**
 * Runs the benchmark cases: every engine of a case once per repeat, interleaved (engine A, B, C,
 * A, B, C, …) so that a slow spell of a noisy machine hits every engine alike; figures are the
 * median of the repeats with their min and max, and the speed ratios are taken pair by pair
 * within each repeat before their median is reported. With `peers`, the cases that have a Brian2
 * script (bench/peers) run it too, interleaved with the engines like one of them.
 */
import { cpus, totalmem } from 'node:os';
import {
  benchCases,
  isPeer,
  MESO_MONTE_CARLO_VARIANT,
  PEER_ENGINES,
  SIZES,
  steadyExtraSeconds,
  type BenchCase,
  type BenchEngine,
  type BenchSize,
} from './cases';
import { measure, type Measurement, type SameNetworkStats } from './measure';
import { measurePeer, probeBrian2, type Brian2Probe } from './peers/brian2';
import { bytesModel, measureHostBandwidth, type HostBandwidth } from './roofline';
import { variant } from '../src/engines';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface EngineResult {
  engine: BenchEngine;
  runs: Measurement[];
  refused?: string;
  wallSeconds: Spread;
  setupSeconds: Spread;
  /** Run time (wall − set-up) per simulated trial-second. */
  secondsPerTrialSecond: Spread;
  /**
   * Cases with `steady`: the runs `steadyExtraSeconds` longer, one per repeat, and the run time of
   * their extra steps per simulated trial-second (warm-up and set-up excluded), repeat by repeat.
   */
  longRuns?: Measurement[];
  steadySecondsPerTrialSecond?: Spread;
  neuronStepsPerSecond: Spread;
  synapticEventsPerSecond: Spread;
  trialStepsPerSecond: Spread;
  peakHostBytes: number;
  gpuBytes: number | null;
  stpStateBytes: Record<string, number>;
  /** Estimated memory traffic of the run (bytes/s, from the bytes model) and its fraction of the host's copy bandwidth. */
  trafficBytesPerSecond: number | null;
  bandwidthFraction: number | null;
  /** Cases with a peer: the statistics of the last run that completed. */
  stats?: SameNetworkStats;
}

export interface CaseResult {
  workload: string;
  variant: string;
  axis: 'B' | 'N';
  value: number;
  /** Simulated seconds per trial (absent in results written before it was recorded). */
  duration?: number;
  setupOnly: boolean;
  /** The Brian2 script of the case, when it has one (its peers ran if the run had --peers). */
  peer?: string;
  /** Repeats of this case (fewer than the run's for a case with maxRepeats; absent in older results: the run's). */
  repeats?: number;
  engines: EngineResult[];
  /** Median over repeats of the run-time ratio of `slower` to `faster` (how many times faster `faster` is). */
  ratios: { faster: BenchEngine; slower: BenchEngine; ratio: Spread }[];
}

export interface BenchResults {
  /** The command line that produced the results. */
  command: string;
  /** A report of several runs (`--report A.json,B.json`): each run's command, date and repeats, in the order given. */
  sources?: { command: string; date: string; repeats: number }[];
  size: BenchSize;
  /** Whether the peers ran (--peers), and the Brian2 that ran them or why none did. */
  peers?: { brian2: string; python: string } | { refused: string };
  repeats: number;
  date: string;
  machine: { cpu: string; cores: number; memoryBytes: number; node: string; adapter: string | null; hostBandwidth: HostBandwidth };
  cases: CaseResult[];
}

export function spread(values: number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN };
  const m = v.length % 2 === 1 ? v[(v.length - 1) / 2] : 0.5 * (v[v.length / 2 - 1] + v[v.length / 2]);
  return { median: m, min: v[0], max: v[v.length - 1] };
}

const runSeconds = (m: Measurement) => m.wallSeconds - m.setupSeconds;

/** Per repeat, the run time of the long run's extra steps per extra simulated trial-second. */
export function steadyCost(short: Measurement[], long: Measurement[]): Spread {
  return spread(
    long.map((l, r) => (short[r] && !l.refused && !short[r].refused ? (runSeconds(l) - runSeconds(short[r])) / (l.trialSeconds - short[r].trialSeconds) : NaN)),
  );
}

function summarize(c: BenchCase, engine: BenchEngine, runs: Measurement[], longRuns?: Measurement[]): EngineResult {
  const ok = runs.filter((r) => !r.refused);
  const per = (f: (m: Measurement) => number) => spread(ok.map(f));
  const last = ok[ok.length - 1];
  const rate = per((m) => m.neuronSteps / runSeconds(m));
  const events = per((m) => m.synapticEvents / runSeconds(m));
  const traffic = !isPeer(engine) && variant(engine).engine.startsWith('micro') && last ? bytesModel(c, engine, last) : null;
  const trafficRate = traffic === null ? null : traffic.perNeuronStep * rate.median + traffic.perEvent * events.median;
  return {
    engine,
    runs,
    ...(ok.length === 0 && runs[0]?.refused ? { refused: runs[0].refused } : {}),
    wallSeconds: per((m) => m.wallSeconds),
    setupSeconds: per((m) => m.setupSeconds),
    secondsPerTrialSecond: per((m) => runSeconds(m) / m.trialSeconds),
    ...(longRuns ? { longRuns, steadySecondsPerTrialSecond: steadyCost(runs, longRuns) } : {}),
    neuronStepsPerSecond: rate,
    synapticEventsPerSecond: events,
    trialStepsPerSecond: per((m) => m.trialSteps / runSeconds(m)),
    peakHostBytes: ok.reduce((best, m) => (Number.isFinite(m.peakHostBytes) && !(m.peakHostBytes <= best) ? m.peakHostBytes : best), NaN),
    gpuBytes: last?.gpuBytes ?? null,
    stpStateBytes: last?.stpStateBytes ?? {},
    trafficBytesPerSecond: trafficRate,
    bandwidthFraction: null,
    ...(last?.stats ? { stats: last.stats } : {}),
  };
}

/** The engine pairs whose ratios are reported, when both ran the case. */
const PAIRS: [BenchEngine, BenchEngine][] = [
  ['micro-gpu', 'micro-cpu'],
  ['micro-cpu-all', 'micro-cpu'],
  ['micro-gpu', 'micro-cpu-all'],
  ['meso-mf2', 'micro-cpu'],
  ['meso-mf2', 'micro-gpu'],
  ['macro', 'meso-mf2'],
  ['meso-mf2-all', 'meso-mf2'],
  ['meso-gpu', 'meso-mf2'],
  ['meso-gpu', 'meso-mf2-all'],
  ['micro-gpu', 'brian2-cython'],
  ['micro-gpu', 'brian2-cpp'],
  ['micro-cpu', 'brian2-cython'],
  ['micro-cpu', 'brian2-cpp'],
];

export interface HarnessOptions {
  size: BenchSize;
  repeats?: number;
  /** Path of the CLI that runs each measurement (bin/mesostp.js). */
  cli: string;
  /** Only cases whose workload is listed ("peers": the cases that have a Brian2 script; "meso": the V2 preset at the meso engines). */
  workloads?: string[];
  /** Run the peers (Brian2) on the cases that have a script. */
  peers?: boolean;
  /** Recorded with the results. */
  command: string;
  onProgress?: (line: string) => void;
}

/** The case with the scenario's duration changed (the steady-state run). */
function withDuration(c: BenchCase, duration: number): BenchCase {
  const scenario = structuredClone(c.scenario);
  scenario.run.duration = duration;
  return { ...c, scenario };
}

export async function runBenchmarks(o: HarnessOptions): Promise<BenchResults> {
  const repeats = Math.max(1, Math.floor(o.repeats ?? SIZES[o.size].repeats));
  // "peers" names the cases that have a Brian2 script, whatever their workload; "meso" the case of meso-gpu's targets.
  const cases = benchCases(o.size).filter(
    (c) =>
      !o.workloads ||
      o.workloads.includes(c.workload) ||
      (c.peer !== undefined && o.workloads.includes('peers')) ||
      (c.variant === MESO_MONTE_CARLO_VARIANT && o.workloads.includes('meso')),
  );
  const hostBandwidth = measureHostBandwidth();
  const results: CaseResult[] = [];
  let adapter: string | null = null;
  // Looked for once: a missing Brian2 refuses every peer run with the same message and costs nothing.
  let probe: Brian2Probe | null = null;
  if (o.peers && cases.some((c) => c.peer)) {
    probe = await probeBrian2(o.cli);
    o.onProgress?.('refused' in probe ? `peers: ${probe.refused}` : `peers: Brian2 ${probe.version} (${probe.python})`);
  }
  for (const [i, c] of cases.entries()) {
    const caseEngines: BenchEngine[] = probe && c.peer ? [...c.engines, ...PEER_ENGINES] : c.engines;
    const runs = new Map<BenchEngine, Measurement[]>(caseEngines.map((e) => [e, []]));
    const longRuns = new Map<BenchEngine, Measurement[]>(caseEngines.map((e) => [e, []]));
    const caseRepeats = Math.min(repeats, c.maxRepeats ?? repeats);
    for (let r = 0; r < caseRepeats; r++) {
      for (const engine of caseEngines) {
        const label = `[${i + 1}/${cases.length}] ${c.workload} (${c.variant}) ${c.axis} = ${c.value}: ${engine}, repeat ${r + 1}/${caseRepeats}`;
        o.onProgress?.(label);
        const m = isPeer(engine) ? await measurePeer(c, engine, probe!) : await measure(o.cli, c, engine);
        if (m.adapter) adapter = m.adapter;
        runs.get(engine)!.push(m);
        if (c.steady && !isPeer(engine) && !m.refused) {
          const extra = steadyExtraSeconds(c, engine);
          o.onProgress?.(`${label}, ${c.scenario.run.duration + extra} s for the steady-state cost`);
          longRuns.get(engine)!.push(await measure(o.cli, withDuration(c, c.scenario.run.duration + extra), engine));
        }
      }
    }
    const engines = caseEngines.map((e) => summarize(c, e, runs.get(e)!, c.steady && !isPeer(e) ? longRuns.get(e) : undefined));
    for (const e of engines) e.bandwidthFraction = e.trafficBytesPerSecond === null ? null : e.trafficBytesPerSecond / hostBandwidth.bytesPerSecond;
    const ratios = PAIRS.filter(([a, b]) => caseEngines.includes(a) && caseEngines.includes(b)).map(([faster, slower]) => {
      const fa = runs.get(faster)!;
      const sl = runs.get(slower)!;
      const value = (c.setupOnly ? (m: Measurement) => m.setupSeconds : runSeconds) as (m: Measurement) => number;
      return { faster, slower, ratio: spread(fa.map((m, r) => (sl[r] ? value(sl[r]) / value(m) : NaN))) };
    });
    results.push({
      workload: c.workload,
      variant: c.variant,
      axis: c.axis,
      value: c.value,
      duration: c.scenario.run.duration,
      setupOnly: !!c.setupOnly,
      ...(c.peer ? { peer: c.peer } : {}),
      repeats: caseRepeats,
      engines,
      ratios,
    });
  }
  return {
    command: o.command,
    size: o.size,
    ...(probe ? { peers: 'refused' in probe ? { refused: probe.refused } : { brian2: probe.version, python: probe.python } } : {}),
    repeats,
    date: new Date().toISOString().slice(0, 10),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(), node: process.version, adapter, hostBandwidth },
    cases: results,
  };
}
