/**
 * The tidy table of a sweep: one row per point and population, per point and recorded input,
 * and per point and STP projection, with every summary quantity of the points' summary.json and
 * its standard error beside it (`<quantity>_sem`; empty, or null in JSON, where there is none).
 * Numbers at full precision: the shortest text that reads back as the same double.
 */
import type { RunSummary } from '../analysis/summary';
import type { Vary } from './grid';

export type RowKind = 'population' | 'input' | 'stp';
export const ROW_KINDS: readonly RowKind[] = ['population', 'input', 'stp'];

export interface Quantity {
  kind: RowKind;
  /** The column. */
  key: string;
  /** What it is (a time and trial average), for titles and the JSON's column list. */
  label: string;
  unit: string | null;
}

/** The fixed quantities of populations and inputs; STP rows take their model's variables (u, x, y, z). */
const FIXED: readonly Quantity[] = [
  { kind: 'population', key: 'rateHz', label: 'firing rate', unit: 'Hz' },
  { kind: 'input', key: 'mean', label: 'input mean (recorded neurons)', unit: 'mV' },
  { kind: 'input', key: 'sd', label: 'input s.d. across trials (recorded neurons)', unit: 'mV' },
  { kind: 'input', key: 'populationMean', label: 'population-mean input', unit: 'mV' },
  { kind: 'input', key: 'populationSd', label: 'population-mean input, s.d. across trials', unit: 'mV' },
];

export type Cell = number | string | null;

export interface SweepTable {
  columns: string[];
  quantities: Quantity[];
  rows: Record<string, Cell>[];
}

export interface TablePoint {
  index: number;
  values: readonly number[];
  summary: RunSummary;
}

/** A number as the table holds it: finite at full precision, otherwise null (JSON has no NaN). */
const num = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The table of the points (in index order), their values under the varied paths. */
export function sweepTable(varies: readonly Vary[], points: readonly TablePoint[]): SweepTable {
  const quantities: Quantity[] = [...FIXED];
  for (const p of points)
    for (const vars of Object.values(p.summary.stp))
      for (const v of Object.keys(vars))
        if (!quantities.some((q) => q.kind === 'stp' && q.key === v)) quantities.push({ kind: 'stp', key: v, label: `STP variable ${v}`, unit: null });
  const columns = ['point', ...varies.map((v) => v.path), 'kind', 'name', ...quantities.flatMap((q) => [q.key, `${q.key}_sem`])];
  const rows: Record<string, Cell>[] = [];
  for (const p of points) {
    const row = (kind: RowKind, name: string, cells: Record<string, [number | null | undefined, number | null | undefined]>) => {
      const r: Record<string, Cell> = { point: p.index };
      varies.forEach((v, i) => {
        r[v.path] = p.values[i];
      });
      r.kind = kind;
      r.name = name;
      for (const q of quantities) {
        const c = q.kind === kind ? cells[q.key] : undefined;
        r[q.key] = num(c?.[0]);
        r[`${q.key}_sem`] = num(c?.[1]);
      }
      rows.push(r);
    };
    const s = p.summary;
    for (const [name, pop] of Object.entries(s.populations)) row('population', name, { rateHz: [pop.rateHz, pop.rateHzSem] });
    for (const [name, i] of Object.entries(s.inputs))
      row('input', name, {
        mean: [i.mean, i.meanSem],
        sd: [i.sd, null],
        populationMean: [i.populationMean.mean, i.populationMean.meanSem],
        populationSd: [i.populationMean.sd, null],
      });
    for (const [name, vars] of Object.entries(s.stp)) row('stp', name, Object.fromEntries(Object.entries(vars).map(([v, x]) => [v, [x, s.stpSem[name]?.[v]]])));
  }
  return { columns, quantities, rows };
}

function csvField(c: Cell): string {
  if (c === null) return '';
  const t = String(c);
  return /[",\n\r]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
}

/** The table as CSV (RFC 4180): a header of the columns, then the rows; an empty cell where there is no value. */
export function tableCsv(t: SweepTable): string {
  const lines = [t.columns.map(csvField).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvField(r[c] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}

/** What the table's JSON says about the sweep besides its rows. */
export interface TableHeader {
  scenario: string;
  level: string;
  trials: number;
  duration: number;
  seed: number;
}

export const TABLE_FORMAT = 'mesostp-sweep-table/1';

/** The table as JSON (`units`: of the varied fields): the sweep, the columns with their units, and the rows (one object each, every column a key; null where there is no value). */
export function tableJson(t: SweepTable, header: TableHeader, varies: readonly Vary[], units: readonly (string | undefined)[]): string {
  const quantities = t.quantities.map((q) => ({ kind: q.kind, column: q.key, sem: `${q.key}_sem`, label: q.label, unit: q.unit }));
  const vary = varies.map((v, i) => ({ path: v.path, spacing: v.spacing, values: v.values, unit: units[i] ?? null }));
  const rows = t.rows.map((r) => `    ${JSON.stringify(Object.fromEntries(t.columns.map((c) => [c, r[c] ?? null])))}`);
  const head = JSON.stringify({ format: TABLE_FORMAT, ...header, vary, columns: t.columns, quantities }, null, 2);
  return `${head.slice(0, -2)},\n  "rows": [\n${rows.join(',\n')}\n  ]\n}\n`;
}
