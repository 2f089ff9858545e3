/**
 * What `mesostp bench` prints and writes: a terminal table, results.json (every run and every
 * aggregate), a markdown page with the tables, log-log plots of cost against B and N, the
 * issue's targets stated as met or not from the figures of this run, the statistics that show
 * the peers ran the same networks, and the bytes model.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LineFigure } from '../src/analysis/figures/lineFigure';
import { renderFigureSvg } from '../src/analysis/figures/renderSvg';
import { formatSeconds } from '../src/io/formatSeconds';
import { variant as registryVariant } from '../src/engines';
import { isPeer, MESO_MONTE_CARLO_VARIANT, MONTE_CARLO_VARIANT, PEER_ENGINES, PEER_RECURRENT_VARIANT, RECURRENT_C, SIZES, type BenchEngine } from './cases';
import v2Preset from '../scenarios/v2-feedforward-depression.json';
import { spread, type BenchResults, type CaseResult, type EngineResult, type Spread } from './harness';
import type { Measurement } from './measure';
import { PEER_LABEL } from './peers/brian2';

/** Labels, colours and line styles are the registry's (src/engines); the peers' are their own (grey: the Okabe–Ito palette's neutral, which no engine has). */
const label = (e: BenchEngine) => (isPeer(e) ? PEER_LABEL[e] : registryVariant(e).label);
const style = (e: BenchEngine) =>
  isPeer(e) ? { color: '#999999', dashed: e === 'brian2-cpp' } : { color: registryVariant(e).color, dashed: registryVariant(e).dashed };

/**
 * Ids of results written before the engine registry: 'meso' ran the meso engine with its default
 * STP mean-field, the registry's meso-mf2. Old results.json files (`--report`) read with today's ids.
 */
const RENAMED: Record<string, BenchEngine> = { meso: 'meso-mf2' };

export function withCurrentIds(r: BenchResults): BenchResults {
  const id = (e: string) => (RENAMED[e] ?? e) as BenchEngine;
  return {
    ...r,
    cases: r.cases.map((c) => ({
      ...c,
      engines: c.engines.map((e) => ({ ...e, engine: id(e.engine), runs: e.runs.map((m) => ({ ...m, engine: id(m.engine) })) })),
      ratios: c.ratios.map((q) => ({ ...q, faster: id(q.faster), slower: id(q.slower) })),
    })),
  };
}

/**
 * One report of several runs (`mesostp bench --report A.json,B.json`): their cases in the order
 * given, a case measured in more than one keeping the later run's; each case keeps its repeats,
 * and the machine and date are the last run's.
 */
export function mergeBenchResults(list: BenchResults[]): BenchResults {
  if (list.length === 1) return list[0];
  const key = (c: CaseResult) => [c.workload, c.variant, c.axis, c.value].join('\u0000');
  const cases = new Map<string, CaseResult>();
  for (const r of list) for (const c of r.cases) cases.set(key(c), { ...c, repeats: c.repeats ?? r.repeats });
  const sources = list.flatMap((r) => r.sources ?? [{ command: r.command, date: r.date, repeats: r.repeats }]);
  const last = list[list.length - 1];
  const peers = [...list].reverse().find((r) => r.peers)?.peers;
  return {
    ...last,
    command: sources.map((x) => x.command).join(' + '),
    sources,
    ...(peers ? { peers } : {}),
    repeats: Math.max(...list.map((r) => r.repeats)),
    cases: [...cases.values()],
  };
}

const si = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : '—');
const secs = formatSeconds;
const V2_PRESET_DURATION: number = v2Preset.run.duration;
const mb = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : `${(v / 2 ** 20).toFixed(1)}`);
// results.json stores a missing figure (NaN) as null.
const range = (s: Spread, f: (v: number) => string) =>
  !Number.isFinite(s.median ?? NaN) ? '—' : s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
const caseName = (c: CaseResult) => `${c.workload} (${c.variant}), ${c.axis} = ${c.value.toLocaleString('en-US')}`;

function engineRow(c: CaseResult, e: EngineResult): string[] {
  if (e.refused) return [label(e.engine), `refused: ${e.refused}`, '', '', '', '', '', '', '', ''];
  if (c.setupOnly) return [label(e.engine), range(e.setupSeconds, secs), '', '', '', '', '', mb(e.peakHostBytes), mb(e.gpuBytes), ''];
  return [
    label(e.engine),
    range(e.setupSeconds, secs),
    range(e.secondsPerTrialSecond, secs),
    e.steadySecondsPerTrialSecond ? range(e.steadySecondsPerTrialSecond, secs) : '',
    si(e.neuronStepsPerSecond.median),
    si(e.synapticEventsPerSecond.median),
    si(e.trialStepsPerSecond.median),
    mb(e.peakHostBytes),
    mb(e.gpuBytes),
    e.bandwidthFraction === null ? '' : `${(100 * e.bandwidthFraction).toFixed(1)} %`,
  ];
}

const HEADER = [
  'engine',
  'set-up',
  'run s per trial-s',
  'steady state',
  'neuron-steps/s',
  'syn. events/s',
  'trial-steps/s',
  'peak host MiB',
  'GPU MiB',
  'of host bandwidth',
];

export function terminalReport(r: BenchResults): string {
  const out: string[] = [];
  for (const c of r.cases) {
    out.push(caseName(c));
    const rows = [HEADER, ...c.engines.map((e) => engineRow(c, e))];
    const w = HEADER.map((_, k) => Math.max(...rows.map((row) => row[k].length)));
    for (const row of rows) out.push(`  ${row.map((v, k) => v.padEnd(w[k])).join('  ')}`);
    if (c.ratios.length > 0) out.push(`  ${c.ratios.map((q) => `${q.faster} vs ${q.slower}: ${range(q.ratio, (v) => `${v.toFixed(2)}×`)}`).join('; ')}`);
    out.push('');
  }
  for (const t of sameNetworkTables(r)) {
    out.push(`Same network? ${t.title} (last run of each engine)`);
    const rows = [t.header, ...t.rows];
    const w = t.header.map((_, k) => Math.max(...rows.map((row) => row[k].length)));
    for (const row of rows) out.push(`  ${row.map((v, k) => v.padEnd(w[k])).join('  ')}`);
    out.push('');
  }
  for (const t of targets(r)) out.push(`${t.met === null ? 'not measured' : t.met ? 'MET' : 'NOT MET'}  ${t.target}: ${t.evidence}`);
  return out.join('\n');
}

export interface TargetVerdict {
  target: string;
  met: boolean | null;
  evidence: string;
}

const find = (r: BenchResults, workload: string, variant: string | null, value: number) =>
  r.cases.find((c) => c.workload === workload && (variant === null || c.variant === variant) && c.value === value);
const engineOf = (c: CaseResult | undefined, e: BenchEngine) => c?.engines.find((x) => x.engine === e);

/** "median of 3", or "one run" for a case run once (a merged report keeps each case's repeats). */
function repeatsText(r: BenchResults, c: CaseResult): string {
  const n = c.repeats ?? r.repeats;
  return n === 1 ? 'one run' : `median of ${n}`;
}

interface Cost {
  /** Seconds per simulated trial-second: steady state where measured, else the run time; and the run time. */
  s: number;
  run: number;
  steady: boolean;
}

function steadyOrRun(e: EngineResult | undefined): Cost {
  const run = e && !e.refused ? e.secondsPerTrialSecond.median : NaN;
  const steady = e?.steadySecondsPerTrialSecond?.median;
  return steady !== undefined && steady !== null && Number.isFinite(steady) ? { s: steady, run, steady: true } : { s: run, run, steady: false };
}

/**
 * meso-gpu's targets on the V2 preset: its 4096 trials (the preset's 1.5 s) in under 10 s, set-up
 * included, and faster than the CPU meso engine on every core at every B ≥ 256 this run has.
 */
function mesoGpuTargets(r: BenchResults): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const v2 = r.cases.filter((c) => c.workload === 'feedforward' && (c.variant === 'V2 preset' || c.variant === MESO_MONTE_CARLO_VARIANT));
  const adapter = r.machine.adapter ?? 'the adapter';
  const at4096 = v2.find((c) => c.value === 4096 && engineOf(c, 'meso-gpu'));
  const wall = (c: CaseResult, e: BenchEngine) => {
    const x = engineOf(c, e);
    return x && !x.refused ? x.wallSeconds.median : NaN;
  };
  const fullPreset = at4096?.duration === V2_PRESET_DURATION;
  const t1 = `meso-gpu: the V2 preset's 4096 trials (${V2_PRESET_DURATION} s) in under 10 s, set-up included`;
  if (!at4096) out.push({ target: t1, met: null, evidence: 'B = 4096 not in this run (--full)' });
  else {
    const g = wall(at4096, 'meso-gpu');
    out.push({
      target: t1,
      met: fullPreset ? g < 10 : null,
      evidence: `${secs(g)} on ${adapter} (wall time, ${at4096.duration} s per trial${fullPreset ? '' : ", not the preset's duration"}); the CPU meso engine took ${secs(wall(at4096, 'meso-mf2-all'))} on all cores and ${secs(wall(at4096, 'meso-mf2'))} on one`,
    });
  }
  const t2 = 'meso-gpu faster than meso-cpu on all cores from 256 trials up';
  const pairs = v2
    .filter((c) => c.value >= 256)
    .sort((a, b) => a.value - b.value)
    .flatMap((c) => {
      const q = c.ratios.find((x) => x.faster === 'meso-gpu' && x.slower === 'meso-mf2-all');
      return q && Number.isFinite(q.ratio.median) ? [{ B: c.value, ratio: q.ratio.median }] : [];
    });
  out.push(
    pairs.length === 0
      ? { target: t2, met: null, evidence: 'no case with B ≥ 256 ran both meso-gpu and meso-mf2-all' }
      : {
          target: t2,
          met: pairs.every((p) => p.ratio > 1),
          evidence: `run time of meso on all cores over meso-gpu's: ${pairs.map((p) => `${p.ratio.toFixed(2)}× at B = ${p.B}`).join(', ')} (${adapter})`,
        },
  );
  return out;
}

/** The issue's targets, judged from this run's figures (null: the run did not include the case). */
export function targets(r: BenchResults): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const ff = find(r, 'feedforward', 'V2 preset', 1024);
  const ratio = ff?.ratios.find((q) => q.faster === 'micro-gpu' && q.slower === 'micro-cpu');
  out.push({
    target: 'micro-gpu ≥ 20× micro-cpu (1 thread) on the V2 workload at 1024 trials',
    met: ratio ? ratio.ratio.median >= 20 : null,
    evidence: ratio
      ? `${ratio.ratio.median.toFixed(2)}× (run time, ${repeatsText(r, ff!)}) on ${r.machine.adapter ?? 'the adapter'}`
      : 'B = 1024 not in this run',
  });
  const rec = r.cases.filter((c) => c.workload === 'recurrent' && c.variant === 'per-presynaptic STP').sort((a, b) => a.value - b.value);
  // The default mean-field (age-resolved) is judged, and the paper's MF2 beside it; both in steady
  // state where the run measured it (the 1000× target excludes the warm-up), as the run time otherwise.
  for (const [id, name] of [
    ['meso-age', 'meso (age-resolved STP, the default)'],
    ['meso-mf2', 'meso (MF2)'],
  ] as const) {
    const meso = rec.map((c) => ({ N: c.value, meso: steadyOrRun(engineOf(c, id)), cpu: steadyOrRun(engineOf(c, 'micro-cpu')) }));
    const how = (m: { meso: Cost; cpu: Cost }) => (m.meso.steady && m.cpu.steady ? 'steady state' : 'run time with warm-up: this run has no steady-state runs');
    if (meso.length >= 2) {
      const lo = meso[0];
      const hi = meso[meso.length - 1];
      const growth = hi.meso.s / lo.meso.s;
      out.push({
        target: `${name}: cost per simulated second independent of N`,
        met: growth < 1.5,
        evidence: `${secs(lo.meso.s)} at N = ${lo.N} and ${secs(hi.meso.s)} at N = ${hi.N} per simulated second (×${growth.toFixed(2)} for ×${hi.N / lo.N} in N; ${how(hi)})`,
      });
    } else out.push({ target: `${name}: cost per simulated second independent of N`, met: null, evidence: 'fewer than two N in this run' });
    const at1e4 = meso.find((m) => m.N === 10000);
    const target = `${name} ≥ 1000× cheaper than micro-cpu (1 thread) at N = 10⁴ on the recurrent case, per simulated second, warm-up excluded`;
    if (!at1e4) {
      out.push({ target, met: null, evidence: 'N = 10⁴ not in this run' });
      continue;
    }
    const ratio = (m: (typeof meso)[number]) => m.cpu.s / m.meso.s;
    const others = meso
      .filter((m) => m.N !== 10000 && Number.isFinite(ratio(m)))
      .map((m) => `${ratio(m).toFixed(0)}× at N = ${m.N.toLocaleString('en-US')}`)
      .join(', ');
    const withWarmUp = at1e4.cpu.run / at1e4.meso.run;
    out.push({
      target,
      met: at1e4.meso.steady && at1e4.cpu.steady ? ratio(at1e4) >= 1000 : false,
      evidence: `${ratio(at1e4).toFixed(0)}× (${how(at1e4)}: micro-cpu ${secs(at1e4.cpu.s)} against ${secs(at1e4.meso.s)} per simulated second); ${withWarmUp.toFixed(0)}× by the 1-s runs' run time, warm-up included${others ? `; ${others}` : ''}`,
    });
  }
  out.push(...mesoGpuTargets(r));
  const stp = (variant: string) =>
    r.cases
      .filter((c) => c.workload === 'recurrent' && c.variant === variant)
      .map((c) => ({ N: c.value, bytes: engineOf(c, 'micro-gpu')?.stpStateBytes['E->E'] ?? NaN }))
      .filter((x) => Number.isFinite(x.bytes));
  const pre = stp('per-presynaptic STP');
  const syn = stp('per-synapse STP');
  if (pre.length >= 2 && syn.length >= 2) {
    const C = RECURRENT_C;
    const perN = pre.map((x) => x.bytes / x.N);
    const perNC = syn.map((x) => x.bytes / (x.N * C));
    const flat = (v: number[]) => Math.max(...v) / Math.min(...v) < 1.05;
    out.push({
      target: 'STP state memory O(N) per presynaptic neuron, O(N·C) per synapse (GPU buffer sizes)',
      met: flat(perN) && flat(perNC),
      evidence: `per presynaptic neuron ${perN.map((v) => v.toFixed(1)).join(', ')} B per neuron; per synapse ${perNC.map((v) => v.toFixed(1)).join(', ')} B per synapse (N = ${pre.map((x) => x.N).join(', ')}; C = ${C})`,
    });
  } else out.push({ target: 'STP state memory O(N) / O(N·C)', met: null, evidence: 'fewer than two N with both variants in this run' });
  const setup = r.cases.filter((c) => c.workload === 'set-up');
  if (setup.length > 0) {
    const lines = setup.flatMap((c) =>
      c.engines.map(
        (e) =>
          `${label(e.engine)} (${c.variant}, N = ${c.value.toLocaleString('en-US')}): ${e.refused ? `refused (${e.refused})` : secs(e.setupSeconds.median)}`,
      ),
    );
    const times = setup.flatMap((c) => c.engines.filter((e) => !e.refused).map((e) => e.setupSeconds.median));
    const full = setup.some((c) => c.value >= 100000);
    out.push({
      target: 'set-up of a 10⁵-neuron network with 10³ synapses per neuron in seconds, not minutes',
      met: full ? Math.max(...times) < 60 : null,
      evidence: lines.join('; '),
    });
  }
  out.push(...peerTargets(r), ...scheduleTargets(r));
  return out;
}

/**
 * The dispatch targets from the micro-gpu runs' summaries: at most 3 per step where a network
 * runs fused, one per chunk resident, and every network's step within 3 dispatches: the fused
 * and resident schedules run every network kind, so a run in the per-kernel (general) schedule,
 * a fall-back, fails the last one with its figure.
 */
function scheduleTargets(r: BenchResults): TargetVerdict[] {
  const runs = r.cases.flatMap((c) =>
    c.engines
      .filter((e) => e.engine === 'micro-gpu')
      .flatMap((e) => e.runs.filter((m) => m.schedule).map((m) => ({ name: `${c.workload} ${c.variant} ${c.axis} = ${c.value}`, ...m.schedule! }))),
  );
  const byMode = (mode: string) => {
    const seen = new Map<string, number>();
    for (const x of runs) if (x.mode === mode) seen.set(x.name, Math.max(seen.get(x.name) ?? 0, x.dispatchesPerStep));
    return [...seen];
  };
  const list = (xs: [string, number][]) => xs.map(([name, d]) => `${name}: ${d.toFixed(3)}`).join('; ');
  const fused = byMode('fused');
  const resident = byMode('resident');
  const general = byMode('general');
  const all = [...fused, ...resident, ...general];
  return [
    {
      target: 'micro-gpu ≤ 3 dispatches per step (fused schedule)',
      met: fused.length > 0 ? fused.every(([, d]) => d <= 3) : null,
      evidence: fused.length > 0 ? list(fused) : 'no micro-gpu run was fused in this run',
    },
    {
      target: 'micro-gpu one dispatch per chunk (resident schedule)',
      // One dispatch per chunk of steps: fewer dispatches than steps (1/500 with the default chunk).
      met: resident.length > 0 ? resident.every(([, d]) => d < 1) : null,
      evidence: resident.length > 0 ? list(resident) : 'no micro-gpu run was resident in this run',
    },
    {
      target: 'micro-gpu ≤ 3 dispatches per step for every network (auto: fused or resident; the per-kernel general schedule only as a fall-back)',
      met: all.length > 0 ? all.every(([, d]) => d <= 3) : null,
      evidence:
        all.length === 0
          ? 'no micro-gpu run reported its schedule in this run'
          : general.length > 0
            ? `general schedule: ${list(general)}`
            : `every micro-gpu run was fused or resident (${all.length} case(s), at most ${Math.max(...all.map(([, d]) => d)).toFixed(3)} per step)`,
    },
  ];
}

const runSeconds = (m: Measurement) => m.wallSeconds - m.setupSeconds;

/**
 * How many times faster `engine` runs a case than the faster of the peers, repeat by repeat
 * (run time, set-up excluded), with the median run times; or why it cannot be said.
 */
export function speedupOverPeers(c: CaseResult, engine: BenchEngine): { ratio: Spread; runs: Partial<Record<BenchEngine, number>> } | { missing: string } {
  const e = engineOf(c, engine);
  if (!e) return { missing: `${engine} did not run this case` };
  if (e.refused) return { missing: `${engine} refused: ${e.refused}` };
  const peers = PEER_ENGINES.map((p) => engineOf(c, p)).filter((p): p is EngineResult => p !== undefined);
  if (peers.length === 0) return { missing: 'Brian2 did not run: add --peers' };
  const ran = peers.filter((p) => !p.refused);
  if (ran.length === 0) return { missing: `Brian2 refused: ${peers[0].refused}` };
  const ratios = e.runs.map((m, k) => {
    const best = Math.min(...ran.map((p) => (p.runs[k] && !p.runs[k].refused ? runSeconds(p.runs[k]) : Infinity)));
    return Number.isFinite(best) ? best / runSeconds(m) : NaN;
  });
  const runs: Partial<Record<BenchEngine, number>> = { [engine]: spread(e.runs.map(runSeconds)).median };
  for (const p of ran) runs[p.engine] = spread(p.runs.filter((m) => !m.refused).map(runSeconds)).median;
  return { ratio: spread(ratios), runs };
}

/** The issue's targets against Brian2 (`--peers`), and micro-gpu against micro-cpu on the same Monte Carlo. */
function peerTargets(r: BenchResults): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const full = SIZES.full;
  const at = (c: CaseResult, issue: boolean) =>
    `${c.axis} = ${c.value}, ${c.duration ?? '?'} s${issue ? '' : ` (the issue's size is ${c.axis === 'B' ? `B = ${full.peerMonteCarlo.trials}, ${full.peerMonteCarlo.duration} s` : `${full.peerRecurrent.duration} s`}: --full)`}`;
  const seconds = (runs: Partial<Record<BenchEngine, number>>) =>
    Object.entries(runs)
      .map(([e, v]) => `${e} ${secs(v as number)}`)
      .join(', ');
  const mc = r.cases.find((c) => c.workload === 'feedforward' && c.variant === MONTE_CARLO_VARIANT);
  const mcIssue = mc !== undefined && mc.value === full.peerMonteCarlo.trials && mc.duration === full.peerMonteCarlo.duration;
  const gpuTarget = 'micro-gpu ≥ 5× faster than the faster Brian2 target on the V2-type Monte Carlo (B = 1024, 1 s)';
  if (!mc) out.push({ target: gpuTarget, met: null, evidence: 'the Monte Carlo case is not in this run' });
  else {
    const q = speedupOverPeers(mc, 'micro-gpu');
    out.push(
      'missing' in q
        ? { target: gpuTarget, met: null, evidence: q.missing }
        : {
            target: gpuTarget,
            met: q.ratio.median >= 5,
            evidence: `${q.ratio.median.toFixed(2)}× (run time, ${repeatsText(r, mc)}) at ${at(mc, mcIssue)}; run times ${seconds(q.runs)}`,
          },
    );
  }
  const cpuTarget = 'micro-gpu ≥ 20× micro-cpu (1 thread) on the V2-type Monte Carlo (B = 1024, 1 s)';
  const ratio = mc?.ratios.find((q) => q.faster === 'micro-gpu' && q.slower === 'micro-cpu');
  out.push({
    target: cpuTarget,
    met: ratio ? ratio.ratio.median >= 20 : null,
    evidence:
      ratio && mc ? `${ratio.ratio.median.toFixed(2)}× (run time, ${repeatsText(r, mc)}) at ${at(mc, mcIssue)}` : 'the Monte Carlo case is not in this run',
  });
  const rec = r.cases.find((c) => c.workload === 'recurrent' && c.variant === PEER_RECURRENT_VARIANT);
  const recIssue = rec !== undefined && rec.duration === full.peerRecurrent.duration;
  for (const engine of ['micro-gpu', 'micro-cpu'] as const) {
    const target = `${engine} faster than Brian2 (either target) on the recurrent network (N = 500, in-degree ${RECURRENT_C}, dt = 0.1 ms, 30 s)`;
    if (!rec) {
      out.push({ target, met: null, evidence: 'the recurrent peer case is not in this run' });
      continue;
    }
    const q = speedupOverPeers(rec, engine);
    out.push(
      'missing' in q
        ? { target, met: null, evidence: q.missing }
        : {
            target,
            met: q.ratio.median > 1,
            evidence: `${q.ratio.median.toFixed(2)}× the faster Brian2 target (run time, ${repeatsText(r, rec)}) at ${at(rec, recIssue)}; run times ${seconds(q.runs)}`,
          },
    );
  }
  return out;
}

/** The same-network tables: per peer case, a header and a row per engine with the rates, the mean input and the STP state at the end. */
function sameNetworkTables(r: BenchResults): { title: string; header: string[]; rows: string[][] }[] {
  const num = (v: number | null | undefined, d: number) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
  return r.cases
    .filter((c) => c.peer && c.engines.some((e) => e.stats))
    .map((c) => {
      const ran = c.engines.filter((e) => e.stats);
      const pops = [...new Set(ran.flatMap((e) => Object.keys(e.stats!.rateHz)))];
      const stp = [...new Set(ran.flatMap((e) => Object.entries(e.stats!.stpEnd).flatMap(([p, v]) => Object.keys(v).map((k) => [p, k].join('\u0000')))))].map(
        (k) => k.split('\u0000'),
      );
      return {
        title: caseName(c),
        header: ['engine', ...pops.map((p) => `${p} rate (Hz)`), 'mean input (mV)', ...stp.map(([p, k]) => `${p} ${k} at the end`)],
        rows: ran.map((e) => [
          label(e.engine),
          ...pops.map((p) => num(e.stats!.rateHz[p], 3)),
          num(e.stats!.meanInput, 4),
          ...stp.map(([p, k]) => num(e.stats!.stpEnd[p]?.[k], 4)),
        ]),
      };
    });
}

/** The line of the report's header that says whether and how the peers ran. */
function peersHeader(r: BenchResults): string[] {
  if (!r.peers) return [];
  if ('refused' in r.peers) return [`Peers (\`--peers\`): none ran. ${r.peers.refused}.`];
  const threads = r.cases.flatMap((c) => c.engines.flatMap((e) => (e.engine === 'brian2-cpp' ? e.runs.flatMap((m) => (m.peer ? [m.peer.threads] : [])) : [])));
  return [
    `Peers (\`--peers\`): Brian2 ${r.peers.brian2} (${r.peers.python}), the cython target on one thread and C++ standalone with OpenMP on ${threads[0] ?? r.machine.cores} threads (see Peers below).`,
  ];
}

/** What the peers are, how they are timed and how to run them; and how long importing Brian2 took in this run. */
function peersSection(r: BenchResults): string[] {
  const imports = r.cases.flatMap((c) => c.engines.flatMap((e) => e.runs.flatMap((m) => (m.peer ? [m.peer.importSeconds] : []))));
  const full = SIZES.full;
  return [
    '## Peers: Brian2',
    '',
    '`mesostp bench --peers` runs two cases in [Brian2](https://briansimulator.org) as well, interleaved with the engines like one of',
    'them: the V2-type Monte Carlo (per trial 1000 Poisson neurons at 10 Hz → Tsodyks–Markram synapses, U = U0 = 0.5, τD = 0.8 s,',
    `τF = 50 ms → a 5-ms exponential filter onto one escape-noise neuron whose input is recorded; dt = 0.1 ms; B = ${full.peerMonteCarlo.trials} trials of`,
    `${full.peerMonteCarlo.duration} s with --full) and the recurrent network (500 escape-noise LIF neurons, depressing synapses of fixed in-degree ${RECURRENT_C},`,
    `Poisson input; dt = 0.1 ms; ${full.peerRecurrent.duration} s with --full). Brian2 runs as two engines: \`brian2-cython\` (the cython target, one thread)`,
    'and `brian2-cpp` (C++ standalone, OpenMP on every core). A hand-written script per workload (bench/peers/brian2) reads a',
    'parameter file that the bench writes from the very scenario the engines run, and builds the same network: Poisson',
    'spikes with probability 1 − e^{−r·dt} per step; the escape-noise neuron as mesostp steps it (input held over the step,',
    "the hazard at both ends, refractory steps); exact exponential filters fed after mesostp's delay; Tsodyks–Markram",
    "updates in mesostp's order, per synapse in the Monte Carlo and per presynaptic neuron in the recurrent network (as",
    'mesostp keeps them). The B trials are one Brian2 network of B copies. test/unit/bench/brian2Peer.test.ts checks both',
    "scripts against mesostp's CPU engine, to rounding, under deterministic drive, and against exact and mean-field values",
    'under Poisson drive; "Same network (peers)" below gives the statistics of a run with these cases.',
    '',
    "Brian2's run time is its own main-loop time (Brian2's timer of the run loop; for C++ standalone, the program's). Its",
    'set-up is the rest of the script from building the network to its end: code generation and compilation (the',
    "cython target caches compiled code in ~/.cython/brian_extensions, so only a workload's first run compiles; the C++",
    'project is built afresh in a temporary folder every run) and, for C++, starting the program and reading its results.',
    `Importing Brian2${imports.length > 0 ? ` (${secs(spread(imports).median)} in this run)` : ''} is not counted. Ratios use run time, as for the engines.`,
    '',
    '```sh',
    'bash scripts/install-system-deps.sh --brian    # Debian 12 as root (scripts/setup.sh does it); elsewhere pip install brian2',
    'npx mesostp bench --full --peers --only peers   # the two peer cases only; add --repeat 1 for a single round',
    'npx mesostp bench --full --peers                # every case, Brian2 beside the engines on the two',
    '```',
    '',
    'MESOSTP_PYTHON names the Python that imports brian2 (default: python3, then /usr/bin/python3). Without Brian2 the peers',
    'appear in the tables as refused, with the install command.',
    '',
  ];
}

/**
 * Cost against B or N, one line per engine: the median of the repeats, with their min–max as error
 * bars; the run time per simulated trial-second, or with `steady` the steady-state cost.
 */
export function costFigure(r: BenchResults, workload: string, variants: string[], axis: 'B' | 'N', title: string, steady = false): LineFigure | null {
  const cs = r.cases.filter((c) => c.workload === workload && variants.includes(c.variant) && !c.setupOnly).sort((a, b) => a.value - b.value);
  if (cs.length < 2) return null;
  const engines = [...new Set(cs.flatMap((c) => c.engines.map((e) => e.engine)))];
  const lines = engines.map((e) => {
    const pts = cs
      .map((c) => ({ x: c.value, s: steady ? engineOf(c, e)?.steadySecondsPerTrialSecond : engineOf(c, e)?.secondsPerTrialSecond }))
      .filter((p): p is { x: number; s: Spread } => p.s !== undefined && Number.isFinite(p.s.median) && p.s.median > 0);
    return {
      label: label(e),
      x: pts.map((p) => p.x),
      y: pts.map((p) => p.s.median),
      spread: { low: pts.map((p) => p.s.min), high: pts.map((p) => p.s.max), style: 'bars' as const },
      ...style(e),
    };
  });
  return {
    title,
    uncertainty: `median of ${Math.max(...cs.map((c) => c.repeats ?? r.repeats))} run(s) or fewer; bars: min–max`,
    xLabel: axis === 'B' ? 'trials B' : 'neurons N',
    yLabel: steady ? 'steady-state s per simulated trial-s' : 'run s per simulated trial-s',
    logX: true,
    logY: true,
    series: lines.filter((l) => l.x.length > 0),
  };
}

/** Hand-written notes kept beside results.json (DIR/benchmarks/notes.md): the report includes them after the targets; links in them are relative to DIR. */
export const NOTES_FILE = 'notes.md';

export async function writeBenchReport(dir: string, r: BenchResults): Promise<string> {
  const sub = join(dir, 'benchmarks');
  await mkdir(sub, { recursive: true });
  await writeFile(join(sub, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  const figs: Record<string, LineFigure | null> = {
    'cost-vs-trials.svg': costFigure(
      r,
      'feedforward',
      ['V2 preset', MESO_MONTE_CARLO_VARIANT],
      'B',
      'Feedforward V2: run time per simulated trial-second against trials B',
    ),
    'cost-vs-n.svg': costFigure(r, 'recurrent', ['per-presynaptic STP'], 'N', 'Recurrent (fixed in-degree 100): run time per simulated trial-second against N'),
    'cost-vs-n-steady.svg': costFigure(
      r,
      'recurrent',
      ['per-presynaptic STP'],
      'N',
      'Recurrent (fixed in-degree 100): steady-state cost per simulated trial-second against N, warm-up excluded',
      true,
    ),
    'cost-vs-n-per-synapse.svg': costFigure(
      r,
      'recurrent',
      ['per-synapse STP'],
      'N',
      'Recurrent, STP state per synapse: run time per simulated trial-second against N',
    ),
  };
  const runs = r.sources
    ? [
        `Merged from ${r.sources.length} runs (\`mesostp bench --report\` with their results.json files, comma-separated): ${r.sources.map((x) => `\`${x.command}\` on ${x.date} (${x.repeats} repeat(s))`).join('; ')}; each case below is from one of them.`,
        `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${(r.machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${r.machine.node};`,
      ]
    : [
        `\`${r.command}\` on ${r.date}: ${r.machine.cpu}, ${r.machine.cores} cores, ${(r.machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${r.machine.node};`,
      ];
  let notes: string[] = [];
  try {
    notes = ['## Notes', '', (await readFile(join(sub, NOTES_FILE), 'utf8')).trim(), ''];
  } catch {
    // No notes beside the results: the report is the figures alone.
  }
  const md: string[] = [
    '# Benchmarks',
    '',
    ...runs,
    `micro-gpu on ${r.machine.adapter ?? 'no adapter'}. Host copy bandwidth ${(r.machine.hostBandwidth.bytesPerSecond / 1e9).toFixed(1)} GB/s (read + write, ${r.machine.hostBandwidth.bytes / 2 ** 20} MiB Float64Array copy).`,
    `Each engine runs each case ${r.repeats} time(s) (fewer where a case's heading says so) in a fresh \`mesostp run\` process, the engines interleaved; figures are medians [min–max].`,
    'Run time excludes set-up (network build, buffers, pipelines), which is listed apart. Ratios are taken run by run, then their median.',
    'Steady state (the recurrent cases): every engine also runs the case longer (micro: twice the duration; meso and macro: ten times),',
    'and the extra run time per extra simulated trial-second is the cost of steps alone, without set-up and without the JavaScript',
    "engine's warm-up, which is most of a 1-s meso run (its first ~1000–1500 steps run before V8 has optimised them, docs/meso.md).",
    'For meso and macro, neuron-steps and synaptic events are those of the network the population equations stand for.',
    ...peersHeader(r),
    '',
    '## Targets',
    '',
    '| target | met | evidence |',
    '| --- | --- | --- |',
    ...targets(r).map((t) => `| ${t.target} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} | ${t.evidence} |`),
    '',
    ...notes,
    ...peersSection(r),
    '## Cost against size',
    '',
    ...Object.entries(figs)
      .filter(([, svg]) => svg !== null)
      .map(([name]) => `![${name}](benchmarks/${name})`),
    '',
    '## Every case',
    '',
  ];
  for (const c of r.cases) {
    const fewer = c.repeats !== undefined && c.repeats < r.repeats ? ` (${c.repeats} repeat${c.repeats === 1 ? '' : 's'})` : '';
    md.push(`### ${caseName(c)}${fewer}`, '', `| ${HEADER.join(' | ')} |`, `| ${HEADER.map(() => '---').join(' | ')} |`);
    for (const e of c.engines) md.push(`| ${engineRow(c, e).join(' | ')} |`);
    md.push('');
    if (c.ratios.length > 0)
      md.push(
        `Speed ratios (run time of the slower over the faster, per repeat): ${c.ratios.map((q) => `${label(q.faster)} vs ${label(q.slower)} ${range(q.ratio, (v) => `${v.toFixed(2)}×`)}`).join('; ')}.`,
        '',
      );
  }
  const same = sameNetworkTables(r);
  if (same.length > 0) {
    md.push(
      '## Same network (peers)',
      '',
      'The statistics of the last run of every engine on the cases the peers run: the mean rate of every population, the mean',
      "recorded input and the mean STP variables at the end of the run (mesostp: the last bin's state, relaxed to the end; Brian2:",
      "relaxed exactly to its end time from each synapse's last update). The micro engines and Brian2 simulate the same network",
      'with different random numbers, so they agree within the trial-to-trial noise; meso and macro are its population equations.',
      '',
    );
    for (const t of same) {
      md.push(`### ${t.title}`, '', `| ${t.header.join(' | ')} |`, `| ${t.header.map(() => '---').join(' | ')} |`);
      for (const row of t.rows) md.push(`| ${row.join(' | ')} |`);
      md.push('');
    }
  }
  md.push(
    '## Bytes model (roofline-style)',
    '',
    'The last column above is the memory traffic the micro engines need for the work they did, from a count of the',
    'bytes each kernel reads and writes (bench/roofline.ts; caches ignored), divided by the host copy bandwidth.',
    'micro-gpu (4-byte words): 28 B per neuron-step (V and refractory counter read and written, input sum read and',
    'cleared, spike flag written) and per synaptic event 4 B of target index (none when procedural) + 8 B for the',
    'fixed-point add into the target ring slot, + 16 B per event when STP state is per synapse (x and its last update',
    'read and written) or 16 B per presynaptic spike spread over its C events otherwise. micro-cpu (8-byte words) moves',
    'twice the state bytes. A small fraction means the engine is bound by something other than memory traffic',
    '(instruction issue, atomics, dispatch and synchronisation overheads on a software adapter).',
    '',
  );
  for (const [name, fig] of Object.entries(figs)) if (fig !== null) await writeFile(join(sub, name), await renderFigureSvg(fig));
  const path = join(dir, 'benchmarks.md');
  await writeFile(path, md.join('\n'));
  return path;
}
