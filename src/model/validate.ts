/**
 * Scenario validation with errors a user can act on: each names the field (its JSON path),
 * what is wrong, and what is allowed or how to fix it. Structural checks come from the zod
 * schemas of ./scenario.ts; the checks that relate fields to each other are below.
 */
import { timeFunctionMax } from './timeFunction';
import type { z } from 'zod';
import { ScenarioSchema, type Filter, type Projection, type Scenario, type TimeFunction } from './scenario';
import { getAt, pathString } from './jsonPath';
import { stpParamNames } from './stpModels';

export interface ScenarioIssue {
  /** JSON path of the field, e.g. "projections[0].stp.U". */
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; scenario: Scenario; warnings: ScenarioIssue[] } | { ok: false; errors: ScenarioIssue[]; warnings: ScenarioIssue[] };

/** What parseScenario (and so run) throws for an invalid scenario: `issues` lists every problem. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(readonly issues: ScenarioIssue[]) {
    super(`invalid scenario:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  }
}

/** An issue as one line: "projections[0].stp.U: must be ...". */
export function formatIssue(issue: ScenarioIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/**
 * dt must be at most this fraction of every membrane and filter time constant: the
 * membrane integrates input held constant over a step, so coarser steps change the
 * dynamics. 1/4 is a hard limit; docs/models.md recommends ≤ 1/10.
 */
export const MAX_DT_FRACTION = 0.25;

/** Largest number of explicit synapses in one projection (typed-array length limit). */
export const MAX_EXPLICIT_SYNAPSES = 2 ** 31 - 1;

function show(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

// ---- walking the schema to say what is allowed at a path ----

type AnySchema = z.ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = (s as unknown as { _zod: { def: { type: string; innerType?: AnySchema; in?: AnySchema } } })._zod.def;
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

interface UnionInfo {
  discriminator: string;
  options: Map<string, AnySchema>;
}

function unionInfo(schema: AnySchema): UnionInfo | null {
  const def = (unwrap(schema) as unknown as { _zod: { def: { type: string; discriminator?: string; options?: AnySchema[] } } })._zod.def;
  if (def.type !== 'union' || !def.discriminator || !def.options) return null;
  const options = new Map<string, AnySchema>();
  for (const o of def.options) {
    const lit = objectShape(o)?.[def.discriminator];
    const values = lit ? (unwrap(lit) as unknown as { _zod: { def: { values?: unknown[] } } })._zod.def.values : undefined;
    for (const v of values ?? []) options.set(String(v), o);
  }
  return { discriminator: def.discriminator, options };
}

function objectShape(schema: AnySchema): Record<string, AnySchema> | null {
  const def = (unwrap(schema) as unknown as { _zod: { def: { type: string; shape?: Record<string, AnySchema> } } })._zod.def;
  return def.type === 'object' && def.shape ? def.shape : null;
}

/** The schema that applies at `path` for this input (choosing union members by their discriminator). */
function schemaAt(path: readonly PropertyKey[], input: unknown): AnySchema | null {
  let schema: AnySchema | null = ScenarioSchema;
  for (let i = 0; i < path.length && schema; i++) {
    schema = resolveUnion(schema, getAt(input, path.slice(0, i)));
    const def = (unwrap(schema) as unknown as { _zod: { def: { type: string; element?: AnySchema; valueType?: AnySchema } } })._zod.def;
    const key = path[i];
    if (def.type === 'object') schema = objectShape(schema)?.[String(key)] ?? null;
    else if (def.type === 'array') schema = def.element ?? null;
    else if (def.type === 'record') schema = def.valueType ?? null;
    else schema = null;
  }
  return schema ? resolveUnion(schema, getAt(input, path)) : null;
}

/** The schema's description of the field at `path` of this input (what an editor shows for it), or undefined. */
export function fieldDescription(path: readonly PropertyKey[], input: unknown): string | undefined {
  // The field's own schema as its parent declares it: a union's description is on the union, not on its members.
  const parent = path.length > 0 ? schemaAt(path.slice(0, -1), input) : null;
  const def = parent ? (unwrap(parent) as unknown as { _zod: { def: { type: string; element?: AnySchema; valueType?: AnySchema } } })._zod.def : null;
  const key = String(path.at(-1));
  const own =
    !parent || !def
      ? null
      : def.type === 'object'
        ? objectShape(parent)?.[key]
        : def.type === 'array'
          ? def.element
          : def.type === 'record'
            ? def.valueType
            : null;
  return own?.description ?? schemaAt(path, input)?.description;
}

function resolveUnion(schema: AnySchema, value: unknown): AnySchema {
  const info = unionInfo(schema);
  if (!info || value === null || typeof value !== 'object') return schema;
  const tag = (value as Record<string, unknown>)[info.discriminator];
  return info.options.get(String(tag)) ?? schema;
}

function didYouMean(word: string, candidates: string[]): string | null {
  const lower = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function describeZodIssue(issue: z.core.$ZodIssue, input: unknown): ScenarioIssue[] {
  const path = issue.path as PropertyKey[];
  const got = getAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const shape = objectShape(schemaAt(path, input) ?? ScenarioSchema);
      const allowed = shape ? Object.keys(shape) : [];
      return issue.keys.map((key) => {
        const hint = didYouMean(key, allowed);
        return {
          path: pathString([...path, key]),
          message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}; allowed here: ${allowed.join(', ')}`,
        };
      });
    }
    case 'invalid_union': {
      // zod reports a bad discriminator either at the union or at its tag field.
      const atTag = path.length > 0 ? unionInfo(schemaAt(path.slice(0, -1), input) ?? ScenarioSchema) : null;
      const unionPath = atTag && atTag.discriminator === path[path.length - 1] ? path.slice(0, -1) : path;
      const info = atTag && unionPath !== path ? atTag : unionInfo(schemaAt(path, input) ?? ScenarioSchema);
      if (info) {
        const obj = getAt(input, unionPath);
        const tag = obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[info.discriminator] : undefined;
        const hint = typeof tag === 'string' ? didYouMean(tag, [...info.options.keys()]) : null;
        return [
          {
            path: pathString([...unionPath, info.discriminator]),
            message: `${tag === undefined ? 'missing' : `unknown value ${show(tag)}`}${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${[...info.options.keys()].map((k) => `"${k}"`).join(', ')}`,
          },
        ];
      }
      return [{ path: pathString(path), message: `does not match any allowed form (got ${show(got)})` }];
    }
    case 'invalid_type': {
      if (got === undefined) return [{ path: pathString(path), message: `required field is missing (expected ${issue.expected})` }];
      if (typeof got === 'number' && !Number.isFinite(got)) {
        return [{ path: pathString(path), message: `must be a finite number, got ${show(got)}` }];
      }
      return [{ path: pathString(path), message: `expected ${issue.expected}, got ${show(got)}` }];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      const what = issue.origin === 'array' || issue.origin === 'string' ? `length ${op} ${bound}` : `${op} ${bound}`;
      const hint = timeConstantHint(path);
      return [{ path: pathString(path), message: `must be ${what}${hint}, got ${show(got)}` }];
    }
    case 'not_multiple_of':
      return [{ path: pathString(path), message: `must be a multiple of ${issue.divisor}, got ${show(got)}` }];
    default:
      if (typeof got === 'number' && !Number.isFinite(got)) return [{ path: pathString(path), message: `must be a finite number, got ${show(got)}` }];
      return [{ path: pathString(path), message: `${issue.message} (got ${show(got)})` }];
  }
}

function timeConstantHint(path: readonly PropertyKey[]): string {
  const last = String(path[path.length - 1] ?? '');
  if (/^tau|^tRef$|^delay$|^dt$|^duration$|^binSize$|^pulseDuration$/.test(last)) return ' (a time in seconds)';
  if (last === 'U') return ' (U is a utilisation in (0, 1])';
  if (last === 'U0') return ' (U0 is a resting utilisation in [0, 1])';
  if (last === 'N' || last === 'C' || last === 'neurons' || last === 'trials') return ' (a whole number)';
  return '';
}

// ---- checks across fields ----

function timeFunctionIssues(f: TimeFunction, path: string, nonNegativeValues: boolean, out: ScenarioIssue[]): void {
  if (f.type === 'steps') {
    if (f.values.length !== f.times.length + 1) {
      out.push({ path: `${path}.values`, message: `needs one more entry than times (${f.times.length + 1}), got ${f.values.length}` });
    }
    for (let i = 1; i < f.times.length; i++) {
      if (!(f.times[i] > f.times[i - 1])) {
        out.push({ path: `${path}.times[${i}]`, message: `times must increase strictly, got ${f.times[i]} after ${f.times[i - 1]}` });
      }
    }
  }
  if (!nonNegativeValues) return;
  const neg = (v: number, p: string) => {
    if (v < 0) out.push({ path: p, message: `a rate must be ≥ 0 Hz, got ${v}` });
  };
  if (f.type === 'constant') neg(f.value, `${path}.value`);
  else if (f.type === 'steps')
    f.values.forEach((v, i) => {
      neg(v, `${path}.values[${i}]`);
    });
  else if (f.type === 'table')
    f.values.forEach((v, i) => {
      neg(v, `${path}.values[${i}]`);
    });
  else if (f.offset < Math.abs(f.amplitude)) {
    out.push({
      path: `${path}.amplitude`,
      message: `the rate offset − |amplitude| must be ≥ 0 Hz so the rate never goes negative; got offset ${f.offset}, amplitude ${f.amplitude}`,
    });
  }
}

function filterTimeConstants(f: Filter): [string, number][] {
  switch (f.type) {
    case 'exponential':
      return [['tau', f.tau]];
    case 'dual-exponential':
      return [
        ['tauRise', f.tauRise],
        ['tauDecay', f.tauDecay],
      ];
    case 'alpha':
      return [['tau', f.tau]];
    default:
      return [];
  }
}

function isWholeMultiple(value: number, step: number): boolean {
  const k = Math.round(value / step);
  return k >= 1 && Math.abs(k * step - value) <= 1e-9 * Math.max(value, step);
}

/** Number of synapses a projection creates (expected value for fixed-probability). */
export function synapseCount(p: Projection, nPre: number, nPost: number): number {
  const c = p.connectivity;
  const same = p.from === p.to;
  if (c.type === 'all-to-all') return nPost * (same && !c.autapses ? nPre - 1 : nPre);
  if (c.type === 'fixed-indegree') return nPost * c.C;
  return nPost * (same && !c.autapses ? nPre - 1 : nPre) * c.p;
}

function relationIssues(s: Scenario, errors: ScenarioIssue[], warnings: ScenarioIssue[]): void {
  const { dt, duration } = s.run;
  const pops = s.populations;
  const steps = Math.round(duration / dt);
  if (Math.abs(steps * dt - duration) > 1e-9 * duration) {
    errors.push({
      path: 'run.duration',
      message: `must be a whole number of time steps: ${duration} s is ${(duration / dt).toFixed(3)} steps of dt = ${dt} s; use ${steps * dt} s`,
    });
  }
  if (steps > 0xffffffff)
    errors.push({
      path: 'run.duration',
      message: `${steps} steps exceed the 2³² steps the random-number counters can address; use a larger dt or a shorter run`,
    });

  const tooCoarse = (path: string, tau: number) => {
    if (dt > MAX_DT_FRACTION * tau) {
      errors.push({
        path: 'run.dt',
        message: `dt = ${dt} s is too coarse for ${path} = ${tau} s (dt must be ≤ ${MAX_DT_FRACTION}·τ); use dt ≤ ${(tau / 10).toPrecision(2)} s`,
      });
    }
  };

  for (const [name, pop] of Object.entries(pops)) {
    const base = `populations.${name}`;
    if (pop.model === 'poisson') {
      timeFunctionIssues(pop.rate, `${base}.rate`, true, errors);
      const rMax = timeFunctionMax(pop.rate);
      if (rMax * dt > 0.1) {
        warnings.push({
          path: `${base}.rate`,
          message: `rate·dt reaches ${(rMax * dt).toFixed(3)}: a neuron fires at most once per step, so rates near 1/dt are under-represented; a smaller dt is better`,
        });
      }
      continue;
    }
    timeFunctionIssues(pop.mu, `${base}.mu`, false, errors);
    tooCoarse(`${base}.tauM`, pop.tauM);
    if (pop.tRef > 0 && !isWholeMultiple(pop.tRef, dt)) {
      errors.push({
        path: `${base}.tRef`,
        message: `must be 0 or a whole number of time steps (dt = ${dt} s), got ${pop.tRef}; use ${Math.max(1, Math.round(pop.tRef / dt)) * dt}`,
      });
    }
    if (pop.model === 'glif' && pop.c * dt > 1) {
      warnings.push({ path: `${base}.c`, message: `c·dt = ${(pop.c * dt).toFixed(2)} > 1: at threshold a neuron fires almost surely every step` });
    }
  }

  const names = new Set<string>();
  s.projections.forEach((p, i) => {
    const base = `projections[${i}]`;
    const name = p.name ?? `${p.from}->${p.to}`;
    if (names.has(name)) errors.push({ path: `${base}.name`, message: `duplicate projection name "${name}"; give each projection a unique name` });
    names.add(name);
    const pre = pops[p.from];
    const post = pops[p.to];
    const known = Object.keys(pops).join(', ');
    if (!pre) errors.push({ path: `${base}.from`, message: `no population "${p.from}"; known populations: ${known}` });
    if (!post) errors.push({ path: `${base}.to`, message: `no population "${p.to}"; known populations: ${known}` });
    else if (post.model === 'poisson') {
      errors.push({ path: `${base}.to`, message: `"${p.to}" is a Poisson source and takes no input; project onto a glif or lif population` });
    }
    if (!isWholeMultiple(p.delay, dt)) {
      errors.push({
        path: `${base}.delay`,
        message:
          p.delay < dt
            ? `must be at least one time step (dt = ${dt} s), got ${p.delay}`
            : `must be a whole number of time steps (dt = ${dt} s), got ${p.delay}; use ${Math.round(p.delay / dt) * dt}`,
      });
    }
    for (const [field, tau] of filterTimeConstants(p.filter)) tooCoarse(`${base}.filter.${field}`, tau);
    if (s.run.integration === 'exact') exactIntegrationIssues(p, base, errors);
    if (p.filter.type === 'dual-exponential' && p.filter.tauRise === p.filter.tauDecay) {
      warnings.push({ path: `${base}.filter`, message: 'tauRise = tauDecay is the alpha function; "alpha" says so directly' });
    }
    if (p.filter.type === 'kinetic') {
      if (p.output.type !== 'conductance') {
        errors.push({ path: `${base}.output`, message: `a kinetic ${p.filter.receptor} receptor is a conductance: use {"type": "conductance", "E": ...}` });
      } else if (p.filter.receptor === 'NMDA' && !p.output.mgBlock) {
        errors.push({ path: `${base}.output.mgBlock`, message: 'an NMDA receptor needs the magnesium block: add "mgBlock": {"Mg": 1}' });
      }
      if (p.normalize)
        warnings.push({
          path: `${base}.normalize`,
          message: 'ignored for kinetic receptors: the gate s lies in [0, 1] and the weight is the peak conductance',
        });
    }
    if (p.filter.type === 'delta' && p.stp.model !== 'three-state' && p.normalize === 'peak') {
      warnings.push({
        path: `${base}.normalize`,
        message:
          'ignored for a delta filter: an instantaneous pulse has no peak, only its integral (a current pulse moves V by J·w, a conductance pulse multiplies V − E by e^{−J·w}); the integral is what "peak" would vanish to as the pulse shortens',
      });
    }
    if (p.stp.model === 'three-state' && p.filter.type === 'kinetic') {
      errors.push({
        path: `${base}.filter`,
        message:
          'three-state STP drives a linear filter with its active state y; a kinetic receptor is driven by transmitter pulses, and what y would do to them is not defined. Use a delta, exponential, dual-exponential or alpha filter with three-state STP, or tsodyks-markram/depression STP with a kinetic receptor',
      });
    }
    if (p.output.type === 'conductance' && p.weight < 0) {
      errors.push({
        path: `${base}.weight`,
        message: `a conductance must be ≥ 0, got ${p.weight}; make the synapse inhibitory with a reversal potential E below rest`,
      });
    }
    if (pre && post) {
      const c = p.connectivity;
      const nPre = pre.N;
      const available = p.from === p.to && !c.autapses ? nPre - 1 : nPre;
      if (c.type === 'fixed-indegree' && c.C > available) {
        errors.push({
          path: `${base}.connectivity.C`,
          message: `in-degree ${c.C} exceeds the ${available} available sources in "${p.from}" (N = ${nPre}${p.from === p.to && !c.autapses ? ', no autapses' : ''}); use C ≤ ${available} or all-to-all`,
        });
      }
      const nSyn = synapseCount(p, nPre, post.N);
      if (p.storage === 'explicit' && nSyn > MAX_EXPLICIT_SYNAPSES) {
        errors.push({
          path: `${base}.connectivity`,
          message: `${nSyn.toExponential(2)} synapses exceed the ${MAX_EXPLICIT_SYNAPSES} an explicit projection can hold; use "storage": "procedural" or a sparser connectivity`,
        });
      }
    }
    heterogeneityIssues(p, base, errors);
  });

  const rec = s.record;
  if (rec.binSize !== undefined && !isWholeMultiple(rec.binSize, dt)) {
    errors.push({ path: 'record.binSize', message: `must be a whole number of time steps (dt = ${dt} s), got ${rec.binSize}` });
  }
  rec.inputs.forEach((r, i) => {
    const pop = pops[r.population];
    if (!pop)
      errors.push({ path: `record.inputs[${i}].population`, message: `no population "${r.population}"; known populations: ${Object.keys(pops).join(', ')}` });
    else if (pop.model === 'poisson')
      errors.push({ path: `record.inputs[${i}].population`, message: `"${r.population}" is a Poisson source and receives no input` });
    else if (r.neurons > pop.N) errors.push({ path: `record.inputs[${i}].neurons`, message: `${r.neurons} exceeds the population's N = ${pop.N}` });
  });
  rec.spikes.forEach((r, i) => {
    const pop = pops[r.population];
    if (!pop)
      errors.push({ path: `record.spikes[${i}].population`, message: `no population "${r.population}"; known populations: ${Object.keys(pops).join(', ')}` });
    else if (r.neurons > pop.N) errors.push({ path: `record.spikes[${i}].neurons`, message: `${r.neurons} exceeds the population's N = ${pop.N}` });
  });
}

/**
 * run.integration 'exact' integrates the membrane with linear filters of a current: a conductance
 * multiplies V (no closed form over a step while it decays), a kinetic receptor is not a linear
 * filter, and a per-synapse τin keeps no filter state per postsynaptic neuron.
 */
function exactIntegrationIssues(p: Projection, base: string, errors: ScenarioIssue[]): void {
  const fix = "or set run.integration to 'held'";
  if (p.output.type === 'conductance' && p.filter.type !== 'delta')
    errors.push({ path: `${base}.output.type`, message: `run.integration 'exact' integrates current-based inputs only; use a current output ${fix}` });
  if (p.filter.type === 'kinetic')
    errors.push({ path: `${base}.filter.type`, message: `run.integration 'exact' needs a linear filter, not a kinetic receptor; ${fix}` });
  if (p.stp.model === 'three-state' && p.heterogeneity?.tauIn !== undefined)
    errors.push({
      path: `${base}.heterogeneity.tauIn`,
      message: `run.integration 'exact' needs one filter per postsynaptic neuron; a heterogeneous tauIn keeps one per synapse: remove it ${fix}`,
    });
}

function heterogeneityIssues(p: Projection, base: string, errors: ScenarioIssue[]): void {
  if (!p.heterogeneity) return;
  if (p.connectivity.type !== 'all-to-all' && p.connectivity.perTrial && Object.keys(p.heterogeneity).length > 0) {
    errors.push({
      path: `${base}.connectivity.perTrial`,
      message: 'a network redrawn for every trial keeps no per-synapse parameters; remove "heterogeneity" or set perTrial to false',
    });
  }
  const allowed: string[] = ['weight', ...stpParamNames(p.stp.model)];
  for (const key of Object.keys(p.heterogeneity)) {
    if (!allowed.includes(key)) {
      errors.push({
        path: `${base}.heterogeneity.${key}`,
        message: `the STP model "${p.stp.model}" has no parameter ${key}; heterogeneity allowed here for: ${allowed.join(', ')}`,
      });
    }
  }
}

/**
 * Checks a scenario (parsed JSON) against the schema and the rules between fields. Never throws:
 * returns the scenario with every default filled in, or every error, each with its field's JSON
 * path and a message that says what is allowed; warnings in both cases.
 */
export function validateScenario(input: unknown): ValidationResult {
  const parsed = ScenarioSchema.safeParse(input);
  const warnings: ScenarioIssue[] = [];
  if (!parsed.success) {
    const errors = parsed.error.issues.flatMap((issue) => describeZodIssue(issue, input));
    return { ok: false, errors, warnings };
  }
  const errors: ScenarioIssue[] = [];
  relationIssues(parsed.data, errors, warnings);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, scenario: parsed.data, warnings };
}

/** validateScenario that throws a ScenarioError listing every problem. */
export function parseScenario(input: unknown): Scenario {
  const r = validateScenario(input);
  if (!r.ok) throw new ScenarioError(r.errors);
  return r.scenario;
}
