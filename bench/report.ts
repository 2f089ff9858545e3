/**
 * What `mesostp bench` prints and writes: a terminal table, results.json (every run and every
 * aggregate), a markdown page with the tables, log-log plots of cost against B and N, the
 * issue's targets stated as met or not from the figures of this run, and the bytes model.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { linePlotSvg } from '../src/analysis/svgPlot';
import { formatSeconds } from '../src/io/formatSeconds';
import { variant as registryVariant } from '../src/engines';
import { RECURRENT_C, type BenchEngine } from './cases';
import type { BenchResults, CaseResult, EngineResult, Spread } from './harness';

/** Labels, colours and line styles are the registry's (src/engines). */
const label = (e: BenchEngine) => registryVariant(e).label;

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

const si = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : '—');
const secs = formatSeconds;
const mb = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : `${(v / 2 ** 20).toFixed(1)}`);
// results.json stores a missing figure (NaN) as null.
const range = (s: Spread, f: (v: number) => string) =>
  !Number.isFinite(s.median ?? NaN) ? '—' : s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
const caseName = (c: CaseResult) => `${c.workload} (${c.variant}), ${c.axis} = ${c.value.toLocaleString('en-US')}`;

function engineRow(c: CaseResult, e: EngineResult): string[] {
  if (e.refused) return [label(e.engine), `refused: ${e.refused}`, '', '', '', '', '', '', ''];
  if (c.setupOnly) return [label(e.engine), range(e.setupSeconds, secs), '', '', '', '', mb(e.peakHostBytes), mb(e.gpuBytes), ''];
  return [
    label(e.engine),
    range(e.setupSeconds, secs),
    range(e.secondsPerTrialSecond, secs),
    si(e.neuronStepsPerSecond.median),
    si(e.synapticEventsPerSecond.median),
    si(e.trialStepsPerSecond.median),
    mb(e.peakHostBytes),
    mb(e.gpuBytes),
    e.bandwidthFraction === null ? '' : `${(100 * e.bandwidthFraction).toFixed(1)} %`,
  ];
}

const HEADER = ['engine', 'set-up', 'run s per trial-s', 'neuron-steps/s', 'syn. events/s', 'trial-steps/s', 'peak host MiB', 'GPU MiB', 'of host bandwidth'];

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

/** The issue's targets, judged from this run's figures (null: the run did not include the case). */
export function targets(r: BenchResults): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const ff = find(r, 'feedforward', null, 1024);
  const ratio = ff?.ratios.find((q) => q.faster === 'micro-gpu' && q.slower === 'micro-cpu');
  out.push({
    target: 'micro-gpu ≥ 20× micro-cpu (1 thread) on the V2 workload at 1024 trials',
    met: ratio ? ratio.ratio.median >= 20 : null,
    evidence: ratio
      ? `${ratio.ratio.median.toFixed(2)}× (run time, median of ${r.repeats}) on ${r.machine.adapter ?? 'the adapter'}`
      : 'B = 1024 not in this run',
  });
  const rec = r.cases.filter((c) => c.workload === 'recurrent' && c.variant === 'per-presynaptic STP');
  const meso = rec.map((c) => ({
    N: c.value,
    s: engineOf(c, 'meso-mf2')?.secondsPerTrialSecond.median ?? NaN,
    cpu: engineOf(c, 'micro-cpu')?.secondsPerTrialSecond.median ?? NaN,
  }));
  if (meso.length >= 2) {
    const lo = meso[0];
    const hi = meso[meso.length - 1];
    const growth = hi.s / lo.s;
    out.push({
      target: 'meso cost per simulated second independent of N',
      met: growth < 1.5,
      evidence: `${secs(lo.s)} at N = ${lo.N} and ${secs(hi.s)} at N = ${hi.N} per simulated second (×${growth.toFixed(2)} for ×${hi.N / lo.N} in N)`,
    });
  } else out.push({ target: 'meso cost per simulated second independent of N', met: null, evidence: 'fewer than two N in this run' });
  const at1e4 = meso.find((m) => m.N === 10000);
  out.push({
    target: 'meso ≥ 1000× cheaper than micro-cpu at N = 10⁴',
    met: at1e4 ? at1e4.cpu / at1e4.s >= 1000 : null,
    evidence: at1e4 ? `${(at1e4.cpu / at1e4.s).toFixed(0)}× (${secs(at1e4.cpu)} against ${secs(at1e4.s)} per simulated second)` : 'N = 10⁴ not in this run',
  });
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
  return out;
}

function figure(r: BenchResults, workload: string, variant: string, axis: 'B' | 'N', title: string): string | null {
  const cs = r.cases.filter((c) => c.workload === workload && c.variant === variant).sort((a, b) => a.value - b.value);
  if (cs.length < 2) return null;
  const engines = [...new Set(cs.flatMap((c) => c.engines.map((e) => e.engine)))];
  const lines = engines.map((e) => {
    const pts = cs.map((c) => ({ x: c.value, y: engineOf(c, e)?.secondsPerTrialSecond.median ?? NaN })).filter((p) => Number.isFinite(p.y) && p.y > 0);
    return { label: label(e), x: pts.map((p) => p.x), y: pts.map((p) => p.y), color: registryVariant(e).color, dashed: registryVariant(e).dashed };
  });
  return linePlotSvg(
    lines.filter((l) => l.x.length > 0),
    { title, xLabel: axis === 'B' ? 'trials B' : 'neurons N', yLabel: 'run s per simulated trial-s', logX: true, logY: true },
  );
}

export async function writeBenchReport(dir: string, r: BenchResults): Promise<string> {
  const sub = join(dir, 'benchmarks');
  await mkdir(sub, { recursive: true });
  await writeFile(join(sub, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  const figs: Record<string, string | null> = {
    'cost-vs-trials.svg': figure(r, 'feedforward', 'V2 preset', 'B', 'Feedforward V2: run time per simulated trial-second against trials B'),
    'cost-vs-n.svg': figure(r, 'recurrent', 'per-presynaptic STP', 'N', 'Recurrent (fixed in-degree 100): run time per simulated trial-second against N'),
    'cost-vs-n-per-synapse.svg': figure(
      r,
      'recurrent',
      'per-synapse STP',
      'N',
      'Recurrent, STP state per synapse: run time per simulated trial-second against N',
    ),
  };
  const md: string[] = [
    '# Benchmarks',
    '',
    `\`${r.command}\` on ${r.date}: ${r.machine.cpu}, ${r.machine.cores} cores, ${(r.machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${r.machine.node};`,
    `micro-gpu on ${r.machine.adapter ?? 'no adapter'}. Host copy bandwidth ${(r.machine.hostBandwidth.bytesPerSecond / 1e9).toFixed(1)} GB/s (read + write, ${r.machine.hostBandwidth.bytes / 2 ** 20} MiB Float64Array copy).`,
    `Each engine runs each case ${r.repeats} time(s) in a fresh \`mesostp run\` process, the engines interleaved; figures are medians [min–max].`,
    'Run time excludes set-up (network build, buffers, pipelines), which is listed apart. Ratios are taken run by run, then their median.',
    'For meso and macro, neuron-steps and synaptic events are those of the network the population equations stand for;',
    "their runs here are one trial of 1 s, which includes the JavaScript engine's warm-up (64 trials × 4 s run at",
    '20–36 ms per trial-second, docs/validation/v6).',
    '',
    '## Targets',
    '',
    '| target | met | evidence |',
    '| --- | --- | --- |',
    ...targets(r).map((t) => `| ${t.target} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} | ${t.evidence} |`),
    '',
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
    md.push(`### ${caseName(c)}`, '', `| ${HEADER.join(' | ')} |`, `| ${HEADER.map(() => '---').join(' | ')} |`);
    for (const e of c.engines) md.push(`| ${engineRow(c, e).join(' | ')} |`);
    md.push('');
    if (c.ratios.length > 0)
      md.push(
        `Speed ratios (run time of the slower over the faster, per repeat): ${c.ratios.map((q) => `${label(q.faster)} vs ${label(q.slower)} ${range(q.ratio, (v) => `${v.toFixed(2)}×`)}`).join('; ')}.`,
        '',
      );
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
  for (const [name, svg] of Object.entries(figs)) if (svg !== null) await writeFile(join(sub, name), svg);
  const path = join(dir, 'benchmarks.md');
  await writeFile(path, md.join('\n'));
  return path;
}
