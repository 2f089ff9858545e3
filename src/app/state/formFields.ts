/**
 * The scenario form: which fields the app offers for a given scenario (population sizes,
 * rates and drives, connectivity, weights, STP model and parameters, dt, duration, trials,
 * seed, the raster and what is kept per trial), each addressed by its JSON path so that the validator's messages land next to it.
 * Everything else in the scenario is kept as loaded and stays editable through a file.
 */
import { getAt, pathString, setAt, type Draft, type JsonPath } from '../../model/jsonPath';
import { STP_MODEL_INFO, STP_MODEL_NAMES, type StpModelInfo, type StpModelName } from '../../model/stpModels';

export type FieldKind = 'number' | 'integer' | 'numberList' | 'select';

export interface FieldSpec {
  /** Stable DOM id and the key validation issues are matched on: the JSON path as the CLI prints it. */
  id: string;
  path: JsonPath;
  label: string;
  kind: FieldKind;
  unit?: string;
  options?: readonly string[];
  /** Short hint shown under the field. */
  hint?: string;
}

export interface FieldGroup {
  title: string;
  fields: FieldSpec[];
}

function field(path: JsonPath, label: string, kind: FieldKind, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { id: pathString(path), path, label, kind, ...extra };
}

export const CONNECTIVITY_TYPES = ['all-to-all', 'fixed-indegree', 'fixed-probability'] as const;
/** The raster shows the first entry of record.spikes. */
export const RASTER_PATH: JsonPath = ['record', 'spikes', 0];
export const NO_RASTER = 'none';
/** record.trials: every trial's arrays ('all', the default, shown first) or their statistics ('stats'). */
export const RECORD_TRIALS = ['all', 'stats'] as const;
/** Neurons a newly chosen raster population records (all of them, up to this many). */
export const RASTER_DEFAULT_NEURONS = 1000;

/** The fields of a time function (a rate or a drive) at `path`. */
function timeFunctionFields(json: unknown, path: JsonPath, label: string, unit: string): FieldSpec[] {
  const f = getAt(json, path) as { type?: string } | undefined;
  switch (f?.type) {
    case 'constant':
      return [field([...path, 'value'], label, 'number', { unit })];
    case 'steps':
      return [
        field([...path, 'values'], `${label} (steps)`, 'numberList', { unit, hint: 'one value per segment, comma-separated' }),
        field([...path, 'times'], 'switching times', 'numberList', { unit: 's', hint: 'one fewer than the values' }),
      ];
    case 'sinusoid':
      return [
        field([...path, 'offset'], `${label} offset`, 'number', { unit }),
        field([...path, 'amplitude'], `${label} amplitude`, 'number', { unit }),
        field([...path, 'frequency'], 'frequency', 'number', { unit: 'Hz' }),
      ];
    default:
      return [];
  }
}

function stpFields(json: unknown, base: JsonPath): FieldSpec[] {
  const stp = getAt(json, [...base, 'stp']) as { model?: string } | undefined;
  const out = [field([...base, 'stp', 'model'], 'STP model', 'select', { options: STP_MODEL_NAMES })];
  const p = (name: string, label: string, unit?: string) => field([...base, 'stp', name], label, 'number', unit ? { unit } : {});
  const info = STP_MODEL_INFO[stp?.model as StpModelName] as StpModelInfo | undefined;
  for (const q of info?.params ?? []) out.push(p(q.key, q.hint ? `${q.label} (${q.hint})` : q.label, q.unit));
  return out;
}

/** The form's groups for a scenario draft: run settings, then each population, then each projection. */
export function formFields(json: Draft): FieldGroup[] {
  const groups: FieldGroup[] = [
    {
      title: 'Run',
      fields: [
        field(['run', 'dt'], 'dt', 'number', { unit: 's' }),
        field(['run', 'duration'], 'duration', 'number', { unit: 's' }),
        field(['run', 'trials'], 'trials', 'integer'),
        field(['run', 'seed'], 'seed', 'integer'),
      ],
    },
  ];
  const pops = (getAt(json, ['populations']) ?? {}) as Record<string, { model?: string }>;
  for (const [name, pop] of Object.entries(pops)) {
    const base = ['populations', name];
    const fields = [field([...base, 'N'], 'N', 'integer', { hint: pop?.model === 'poisson' ? 'Poisson neurons' : `${pop?.model ?? ''} neurons` })];
    if (pop?.model === 'poisson') fields.push(...timeFunctionFields(json, [...base, 'rate'], 'rate', 'Hz'));
    else fields.push(...timeFunctionFields(json, [...base, 'mu'], 'drive μ', 'mV'));
    groups.push({ title: `Population ${name}`, fields });
  }
  const projections = (getAt(json, ['projections']) ?? []) as { name?: string; from?: string; to?: string; connectivity?: { type?: string } }[];
  projections.forEach((q, i) => {
    const base: JsonPath = ['projections', i];
    const fields = [field([...base, 'connectivity', 'type'], 'connectivity', 'select', { options: CONNECTIVITY_TYPES })];
    if (q?.connectivity?.type === 'fixed-indegree') fields.push(field([...base, 'connectivity', 'C'], 'in-degree C', 'integer'));
    if (q?.connectivity?.type === 'fixed-probability') fields.push(field([...base, 'connectivity', 'p'], 'probability p', 'number'));
    fields.push(field([...base, 'weight'], 'weight J', 'number', { unit: 'mV' }));
    fields.push(...stpFields(json, base));
    groups.push({ title: `Projection ${q?.name ?? `${q?.from}→${q?.to}`}`, fields });
  });
  const raster = getAt(json, RASTER_PATH) as { population?: string } | undefined;
  const rasterFields = [
    field([...RASTER_PATH, 'population'], 'spike raster of', 'select', { options: [NO_RASTER, ...Object.keys(pops)], hint: 'micro records these spikes' }),
  ];
  if (raster?.population) rasterFields.push(field([...RASTER_PATH, 'neurons'], 'neurons recorded', 'integer', { hint: 'up to 10⁵ are drawn' }));
  rasterFields.push(
    field(['record', 'trials'], 'keep per trial', 'select', {
      options: RECORD_TRIALS,
      hint: "'stats': per-bin trial means and variances only, so memory does not grow with the trials",
    }),
  );
  if (getAt(json, ['record', 'trials']) === 'stats')
    rasterFields.push(field(['record', 'keepTrials'], 'trials kept whole', 'integer', { hint: 'their arrays and spikes, for spectra and the raster' }));
  groups.push({ title: 'Recording', fields: rasterFields });
  return groups;
}

/** Text shown in a field for the draft's value (lists comma-separated; missing: empty). */
export function fieldText(spec: FieldSpec, json: Draft): string {
  const v = getAt(json, spec.path);
  // A missing choice shows its default (the first option: no STP, no raster).
  if (v === undefined || v === null) return spec.kind === 'select' ? (spec.options?.[0] ?? '') : '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' && Number.isNaN(x) ? 'NaN' : String(x))).join(', ');
  return typeof v === 'number' && Number.isNaN(v) ? 'NaN' : String(v);
}

/**
 * What a typed text puts into the scenario. Numbers are parsed as written, so that "NaN",
 * "-0.1" or "abc" reach the validator, which names the field and what is allowed; empty text
 * removes the value (then the validator says it is required, or the default applies).
 */
export function parseFieldText(spec: FieldSpec, text: string): unknown {
  const t = text.trim();
  if (spec.kind === 'select') return t;
  if (spec.kind === 'numberList')
    return t === ''
      ? []
      : t
          .split(/[,;\s]+/)
          .filter(Boolean)
          .map(parseNumber);
  return t === '' ? undefined : parseNumber(t);
}

function parseNumber(t: string): number | string {
  const n = Number(t);
  // Keep unparsable text as a string: the validator then says "expected a number, got "abc"".
  return Number.isNaN(n) && !/^nan$/i.test(t) ? t : n;
}

/**
 * The draft after the user typed `text` into a field. Choosing another connectivity type or
 * STP model replaces that object with the new kind's parameters (keeping U where both have it),
 * since the old kind's fields would be refused by the new one.
 */
export function applyField(json: Draft, spec: FieldSpec, text: string): Draft {
  const value = parseFieldText(spec, text);
  const last = spec.path[spec.path.length - 1];
  const parent = spec.path.slice(0, -1);
  if (spec.kind === 'select' && last === 'type' && parent[parent.length - 1] === 'connectivity') {
    return setAt(json, parent, connectivityDefaults(String(value), json, parent));
  }
  if (spec.id === pathString([...RASTER_PATH, 'population'])) {
    const spikes = (getAt(json, ['record', 'spikes']) ?? []) as unknown[];
    if (value === NO_RASTER) return setAt(json, ['record', 'spikes'], spikes.slice(1));
    const N = Number(getAt(json, ['populations', String(value), 'N']));
    const neurons = Number.isInteger(N) && N > 0 ? Math.min(N, RASTER_DEFAULT_NEURONS) : RASTER_DEFAULT_NEURONS;
    return setAt(json, RASTER_PATH, { population: value, neurons });
  }
  if (spec.kind === 'select' && last === 'model' && parent[parent.length - 1] === 'stp') {
    const old = getAt(json, parent) as { U?: unknown } | undefined;
    return setAt(json, parent, stpDefaults(String(value), typeof old?.U === 'number' ? old.U : 0.5));
  }
  return setAt(json, spec.path, value);
}

function connectivityDefaults(type: string, json: Draft, path: JsonPath): Record<string, unknown> {
  if (type === 'fixed-indegree') {
    const from = getAt(json, [...path.slice(0, -1), 'from']);
    const nPre = Number(getAt(json, ['populations', String(from), 'N']));
    return { type, C: Number.isInteger(nPre) && nPre > 0 ? Math.min(40, nPre) : 40 };
  }
  if (type === 'fixed-probability') return { type, p: 0.1 };
  return { type };
}

/** Parameters a newly chosen STP model starts from (src/model/stpModels.ts). */
function stpDefaults(model: string, U: number): Record<string, unknown> {
  const info = STP_MODEL_INFO[model as StpModelName] as StpModelInfo | undefined;
  return { model, ...Object.fromEntries((info?.params ?? []).map((p) => [p.key, p.initial(U)])) };
}
