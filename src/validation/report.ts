/**
 * Reports of the validation experiments: a markdown page with a metrics table per set and the
 * figures, a JSON summary with every metric (value, standard error, noise floor, target, pass,
 * resolved), and the table the terminal prints. The experiments (./v2.ts, ./v5.ts) fill in the
 * metrics; this module only lays them out.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { figureToJson } from '../analysis/figures/figureData';
import type { LineFigure } from '../analysis/figures/lineFigure';
import { renderFigureSvg } from '../analysis/figures/renderSvg';

export interface Metric {
  set: string;
  population: string;
  /** e.g. 'mean', 'sd', 'rate', 'psd 7–31 Hz'. */
  quantity: string;
  /** The level compared with the reference (micro-gpu). */
  level: string;
  /** Relative distance from the reference (noise-corrected where stated), its standard error and noise floor. */
  value: number;
  se: number;
  floor: number;
  target: number;
  /** value ≤ target. */
  pass: boolean;
  /** value − 2·se > target: missed beyond the statistical uncertainty. */
  clearFail: boolean;
  /** The statistics resolve the target: floor < target/2. */
  resolved: boolean;
}

/** A metric from a relative distance and its uncertainty. */
export function metric(base: Omit<Metric, 'pass' | 'clearFail' | 'resolved'>): Metric {
  return { ...base, pass: base.value <= base.target, clearFail: base.value - 2 * base.se > base.target, resolved: base.floor < base.target / 2 };
}

export interface SetResult {
  set: string;
  metrics: Metric[];
  /** The set's figures by file name; drawn to SVG when the report is written. */
  figures: Record<string, LineFigure>;
  wallSeconds: Record<string, number>;
  /** Markdown lines shown under the set's table (e.g. tests without a target). */
  notes?: string[];
  /** Values the experiment's summary figures need across sets (kept out of the JSON). */
  data?: unknown;
}

export interface ReportSpec {
  experiment: string;
  title: string;
  /** Markdown paragraphs describing the experiment and its metrics. */
  intro: string[];
  /** Compared levels, in column order, with their labels. */
  columns: { level: string; label: string }[];
  /** The level the targets apply to. */
  judged: string;
  /** How a population is named in the tables. */
  populationLabel?: (population: string) => string;
  /** Figures drawn from all sets together (e.g. a quantity against N), shown after the sets. */
  summaryFigures?: (results: SetResult[]) => Record<string, LineFigure>;
  /** Markdown lines drawn from all sets together (e.g. a table across the sets), shown before the summary figures. */
  summaryNotes?: (results: SetResult[]) => string[];
}

export interface ReportContext {
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

interface Row {
  set: string;
  population: string;
  quantity: string;
  target: number;
  by: Record<string, Metric>;
}

function rows(metrics: Metric[]): Row[] {
  const out = new Map<string, Row>();
  for (const m of metrics) {
    const key = `${m.set}|${m.population}|${m.quantity}`;
    const row = out.get(key) ?? { set: m.set, population: m.population, quantity: m.quantity, target: m.target, by: {} };
    row.by[m.level] = m;
    out.set(key, row);
  }
  return [...out.values()];
}

export function terminalTable(spec: ReportSpec, results: SetResult[]): string {
  const label = spec.populationLabel ?? ((p: string) => p);
  const judged = spec.columns.find((c) => c.level === spec.judged)!.label;
  const header = ['set', 'population', 'metric', ...spec.columns.map((c) => c.label), 'target', judged];
  const body = rows(results.flatMap((r) => r.metrics)).map((r) => [
    r.set,
    label(r.population),
    r.quantity,
    ...spec.columns.map((c) => cell(r.by[c.level])),
    `≤ ${pct(r.target)}`,
    verdict(r.by[spec.judged]),
  ]);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  return all.map((row) => row.map((v, c) => v.padEnd(widths[c])).join('  ')).join('\n');
}

/** One line: how many of a level's targets (default: the judged level's) were met, missed, or not decided. */
export function verdictLine(spec: ReportSpec, results: SetResult[], level = spec.judged): string {
  const judged = results.flatMap((r) => r.metrics).filter((m) => m.level === level);
  const failed = judged.filter((m) => m.clearFail).length;
  const undecided = judged.filter((m) => !m.pass && !m.clearFail).length;
  const label = spec.columns.find((c) => c.level === level)!.label;
  return `${label}: ${judged.length - failed - undecided} of ${judged.length} targets met, ${failed} missed, ${undecided} not decided at this size`;
}

/** figures/NAME.svg and, beside it, the numbers it shows (figures/NAME.json) for drawing it again (./rerenderFigures.ts). */
async function writeFigure(dir: string, name: string, fig: LineFigure): Promise<void> {
  await writeFile(join(dir, 'figures', name), await renderFigureSvg(fig));
  await writeFile(join(dir, 'figures', name.replace(/\.svg$/, '.json')), figureToJson(fig));
}

export async function writeReport(dir: string, spec: ReportSpec, ctx: ReportContext, results: SetResult[]): Promise<{ markdown: string; json: string }> {
  await mkdir(join(dir, 'figures'), { recursive: true });
  for (const r of results) for (const [name, fig] of Object.entries(r.figures)) await writeFigure(dir, name, fig);
  const metrics = results.flatMap((r) => r.metrics);
  const judged = metrics.filter((m) => m.level === spec.judged);
  const label = spec.populationLabel ?? ((p: string) => p);
  const json = {
    experiment: spec.experiment,
    command: ctx.command,
    adapter: ctx.adapter,
    date: ctx.date,
    sizes: ctx.sizes,
    wallSeconds: Object.fromEntries(results.map((r) => [r.set, r.wallSeconds])),
    judged: spec.judged,
    pass: judged.every((m) => m.pass),
    resolved: judged.every((m) => m.resolved),
    metrics,
  };
  const judgedLabel = spec.columns.find((c) => c.level === spec.judged)!.label;
  const md: string[] = [
    `# ${spec.title}`,
    '',
    `\`${ctx.command}\` on ${ctx.date}; micro-gpu on ${ctx.adapter}.`,
    `Sizes: ${Object.entries(ctx.sizes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; every level has its own seed.`,
    '',
    ...spec.intro,
    '',
    '⁽ᵘ⁾: unresolved, the noise floor is not below half the target (more trials needed to decide).',
    'Verdicts: pass (at or below the target), FAIL (above it by more than 2 standard errors), not decided (above it within 2 standard errors).',
    '',
    `**Verdict.** ${verdictLine(spec, results)}.`,
    '',
    `The other levels against the same targets: ${spec.columns
      .filter((c) => c.level !== spec.judged)
      .map((c) => verdictLine(spec, results, c.level))
      .join('; ')}.`,
    '',
  ];
  for (const r of results) {
    md.push(
      `## ${r.set}`,
      '',
      `Wall time: ${Object.entries(r.wallSeconds)
        .map(([l, s]) => `${l} ${s.toFixed(1)} s`)
        .join(', ')}.`,
      '',
    );
    md.push(
      `| population | metric | ${spec.columns.map((c) => c.label).join(' | ')} | target | ${judgedLabel} |`,
      `| --- | --- | ${spec.columns.map(() => '---').join(' | ')} | --- | --- |`,
    );
    for (const row of rows(r.metrics))
      md.push(
        `| ${label(row.population)} | ${row.quantity} | ${spec.columns.map((c) => cell(row.by[c.level])).join(' | ')} | ≤ ${pct(row.target)} | ${verdict(row.by[spec.judged])} |`,
      );
    md.push('');
    if (r.notes) md.push(...r.notes, '');
    for (const name of Object.keys(r.figures)) md.push(`![${name}](figures/${name})`);
    md.push('');
  }
  const summary = spec.summaryFigures?.(results) ?? {};
  const summaryNotes = spec.summaryNotes?.(results) ?? [];
  if (Object.keys(summary).length > 0 || summaryNotes.length > 0) {
    md.push('## All sets', '');
    if (summaryNotes.length > 0) md.push(...summaryNotes, '');
    for (const [name, fig] of Object.entries(summary)) {
      await writeFigure(dir, name, fig);
      md.push(`![${name}](figures/${name})`);
    }
    md.push('');
  }
  const markdownPath = join(dir, 'report.md');
  const jsonPath = join(dir, 'summary.json');
  await writeFile(markdownPath, md.join('\n'));
  await writeFile(jsonPath, JSON.stringify(json, null, 2));
  return { markdown: markdownPath, json: jsonPath };
}
