/**
 * Reports of the validation experiments: a markdown page with the metrics table and the figures,
 * a JSON summary with every metric (value, standard error, noise floor, target, pass, resolved),
 * and the table the terminal prints.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metric, V2Level, V2SetResult } from './v2';

export interface ReportContext {
  experiment: string;
  command: string;
  adapter: string;
  date: string;
  sizes: Record<string, number>;
}

const pct = (v: number) => `${(100 * v).toFixed(2)} %`;

/** pass; FAIL (beyond 2 s.e.); or "not decided" (above the target within the uncertainty). */
export function verdict(m: Metric | undefined): string {
  if (!m) return '';
  return m.pass ? 'pass' : m.clearFail ? 'FAIL' : 'not decided';
}

function cell(m: Metric | undefined): string {
  if (!m) return '—';
  return `${pct(m.value)} ± ${(100 * m.se).toFixed(2)}${m.resolved ? '' : ' ⁽ᵘ⁾'}`;
}

/** Rows (set, population, quantity) with one column per compared level. */
function rows(metrics: Metric[]): { key: string; set: string; population: string; quantity: string; target: number; by: Partial<Record<V2Level, Metric>> }[] {
  const out = new Map<string, { key: string; set: string; population: string; quantity: string; target: number; by: Partial<Record<V2Level, Metric>> }>();
  for (const m of metrics) {
    const key = `${m.set}|${m.population}|${m.quantity}`;
    const row = out.get(key) ?? { key, set: m.set, population: m.population, quantity: m.quantity, target: m.target, by: {} };
    row.by[m.level] = m;
    out.set(key, row);
  }
  return [...out.values()];
}

export function terminalTable(results: V2SetResult[]): string {
  const header = ['set', 'input into', 'metric', 'micro-cpu', 'MF2', 'MF1', 'target', 'MF2'];
  const body = rows(results.flatMap((r) => r.metrics)).map((r) => [
    r.set,
    r.population === 'post_all' ? 'C = N' : 'C = 40',
    r.quantity,
    cell(r.by['micro-cpu']),
    cell(r.by.mf2),
    cell(r.by.mf1),
    `≤ ${pct(r.target)}`,
    verdict(r.by.mf2),
  ]);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  return all.map((row) => row.map((v, c) => v.padEnd(widths[c])).join('  ')).join('\n');
}

export async function writeV2Report(dir: string, ctx: ReportContext, results: V2SetResult[]): Promise<{ markdown: string; json: string }> {
  await mkdir(join(dir, 'figures'), { recursive: true });
  for (const r of results) for (const [name, svg] of Object.entries(r.figures)) await writeFile(join(dir, 'figures', name), svg);
  const metrics = results.flatMap((r) => r.metrics);
  const mf2 = metrics.filter((m) => m.level === 'mf2');
  const json = {
    experiment: ctx.experiment,
    command: ctx.command,
    adapter: ctx.adapter,
    date: ctx.date,
    sizes: ctx.sizes,
    wallSeconds: Object.fromEntries(results.map((r) => [r.set, r.wallSeconds])),
    passMf2: mf2.every((m) => m.pass),
    resolvedMf2: mf2.every((m) => m.resolved),
    metrics,
  };
  const md: string[] = [
    `# V2: feedforward short-term plasticity, micro against meso`,
    '',
    `\`${ctx.command}\` on ${ctx.date}; micro-gpu on ${ctx.adapter}.`,
    `Trials: micro-gpu ${ctx.sizes.gpuTrials} (reference), micro-cpu ${ctx.sizes.cpuTrials} (second witness), meso MF2 and MF1 ${ctx.sizes.mesoTrials} each; every level has its own seed.`,
    '',
    'N = 100 Poisson neurons step 5 → 40 → 5 Hz (0.5 s each) and drive postsynaptic neurons through',
    'Tsodyks–Markram synapses and an exponential filter (τ = 10 ms), with in-degree C = N and C = 40',
    '(`scenarios/v2-feedforward-*.json`). The quantity compared is the input into one postsynaptic',
    'neuron across trials.',
    '',
    '**Metrics.** Relative RMS distance from micro-gpu of the trial mean μ(t) and of the trial s.d.',
    'σ(t) over the whole run (1 ms bins), with the sampling-noise floor of both curves removed',
    '(bootstrap over trials, `src/analysis/trialStatistics.ts`), ± its standard error; and the',
    'relative difference of the stationary PSD of the fluctuations in the 40 Hz window',
    `(${ctx.sizes.psdFrom ?? 0.7}–${ctx.sizes.psdTo ?? 1.0} s, Welch, Hann, 128 ms segments) averaged over each band, ± its standard error.`,
    'Targets (VALIDATION.md) apply to MF2; MF1 and the CPU witness are reported on the same metrics.',
    '⁽ᵘ⁾: unresolved, the noise floor is not below half the target (more trials needed to decide).',
    'Verdicts: pass (at or below the target), FAIL (above it by more than 2 standard errors), not decided (above it within 2 standard errors).',
    '',
    `**Verdict.** MF2 ${json.passMf2 ? 'meets every target' : 'misses at least one target'}${json.resolvedMf2 ? '' : ' (some metrics unresolved at this size)'}.`,
    '',
  ];
  for (const r of results) {
    md.push(`## ${r.set}`, '', `Wall time: ${Object.entries(r.wallSeconds).map(([l, s]) => `${l} ${s.toFixed(1)} s`).join(', ')}.`, '');
    md.push('| input into | metric | micro-cpu | MF2 | MF1 | target | MF2 |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const row of rows(r.metrics)) {
      md.push(`| ${row.population === 'post_all' ? 'C = N' : 'C = 40'} | ${row.quantity} | ${cell(row.by['micro-cpu'])} | ${cell(row.by.mf2)} | ${cell(row.by.mf1)} | ≤ ${pct(row.target)} | ${verdict(row.by.mf2)} |`);
    }
    md.push('');
    for (const name of Object.keys(r.figures)) md.push(`![${name}](figures/${name})`);
    md.push('');
  }
  const markdownPath = join(dir, 'report.md');
  const jsonPath = join(dir, 'summary.json');
  await writeFile(markdownPath, md.join('\n'));
  await writeFile(jsonPath, JSON.stringify(json, null, 2));
  return { markdown: markdownPath, json: jsonPath };
}
