/**
 * The grid of a parameter sweep (`mesostp sweep --vary …`): each --vary names a numeric field of
 * the scenario by its JSON path (as the validator writes it: "projections[0].stp.U") and the
 * values it takes; the points are every combination, the first --vary varying slowest.
 */
import { fieldDescription } from '../model/validate';
import { getAt, parsePath, pathString, setAt } from '../model/jsonPath';

export interface Vary {
  /** The argument as given after --vary. */
  spec: string;
  /** The field, as the validator writes paths. */
  path: string;
  spacing: 'linear' | 'log' | 'list';
  values: number[];
}

/** The forms --vary takes, for every message that refuses one. */
export const VARY_FORMS =
  'PATH=FROM:TO:COUNT (COUNT values evenly spaced from FROM to TO, both included), PATH=FROM:TO:COUNT:log (log-spaced, FROM and TO > 0) or PATH=V1,V2,… (a list), e.g. --vary projections[0].stp.U=0.1:0.9:5';

/** The most points one sweep may have: each is a whole run with its own folder. */
export const MAX_POINTS = 100_000;

const refuse = (spec: string, what: string) => new Error(`--vary ${spec}: ${what}`);

function number(spec: string, text: string, what: string): number {
  const t = text.trim();
  const x = t === '' ? NaN : Number(t);
  if (!Number.isFinite(x)) throw refuse(spec, `${what} "${text}" is not a number; expected ${VARY_FORMS}`);
  return x;
}

/** COUNT values from `from` to `to`, both included (`from` alone for one), evenly spaced or, with `log`, evenly in log. */
export function spacedValues(from: number, to: number, count: number, log: boolean): number[] {
  if (count === 1) return [from];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const f = i / (count - 1);
    if (i === 0) out.push(from);
    else if (i === count - 1) out.push(to);
    else out.push(log ? Math.exp(Math.log(from) + f * (Math.log(to) - Math.log(from))) : from + f * (to - from));
  }
  return out;
}

/** Parses one --vary argument; throws a message that names it and the forms it may take. */
export function parseVary(spec: string): Vary {
  const eq = spec.indexOf('=');
  if (eq < 0) throw refuse(spec, `no "=": expected ${VARY_FORMS}`);
  const pathText = spec.slice(0, eq).trim();
  const range = spec.slice(eq + 1);
  const parts = parsePath(pathText);
  if (parts.length === 0 || /[\s=,:]/.test(pathText) || !/^[A-Za-z_$]/.test(pathText))
    throw refuse(spec, `"${pathText}" is not a JSON path into the scenario (keys joined by dots, indices in brackets: projections[0].stp.U)`);
  const path = pathString(parts);
  let values: number[];
  let spacing: Vary['spacing'];
  if (range.includes(':')) {
    const fields = range.split(':');
    const log = fields.length === 4 && fields[3].trim() === 'log';
    if (fields.length !== 3 && !log)
      throw refuse(
        spec,
        `"${range}" is neither FROM:TO:COUNT nor FROM:TO:COUNT:log${fields.length === 4 ? ` ("${fields[3]}" is not "log")` : ''}; expected ${VARY_FORMS}`,
      );
    const from = number(spec, fields[0], 'FROM');
    const to = number(spec, fields[1], 'TO');
    const count = number(spec, fields[2], 'COUNT');
    if (!Number.isInteger(count) || count < 1) throw refuse(spec, `COUNT must be a whole number ≥ 1, got ${fields[2].trim()}`);
    if (count > MAX_POINTS) throw refuse(spec, `COUNT ${count} is more than ${MAX_POINTS} points`);
    if (log && !(from > 0 && to > 0))
      throw refuse(spec, `log spacing needs FROM and TO > 0, got ${from} and ${to}; use linear spacing (drop ":log") or a list`);
    if (count > 1 && from === to)
      throw refuse(spec, `FROM and TO are both ${from}: the ${count} values would all be the same; give one value (${path}=${from}) or a range`);
    values = spacedValues(from, to, count, log);
    spacing = log ? 'log' : 'linear';
  } else {
    if (range.trim() === '') throw refuse(spec, `no values after "="; expected ${VARY_FORMS}`);
    values = range.split(',').map((t) => number(spec, t, 'value'));
    const twice = values.find((v, i) => values.indexOf(v) !== i);
    if (twice !== undefined) throw refuse(spec, `the list gives ${twice} twice: each value is one point of the sweep; list it once`);
    spacing = 'list';
  }
  return { spec, path, spacing, values };
}

/** Parses every --vary, refusing a field varied twice. */
export function parseVaries(specs: readonly string[]): Vary[] {
  if (specs.length === 0) throw new Error(`no --vary: name at least one field and its values, ${VARY_FORMS}`);
  const out = specs.map(parseVary);
  for (let i = 1; i < out.length; i++) {
    const j = out.findIndex((v) => v.path === out[i].path);
    if (j < i) throw new Error(`--vary ${out[j].spec} and --vary ${out[i].spec} both vary ${out[i].path}: vary each field once (one --vary with every value)`);
  }
  const points = out.reduce((n, v) => n * v.values.length, 1);
  if (points > MAX_POINTS) throw new Error(`the --vary arguments make ${points} points, more than ${MAX_POINTS}: vary fewer fields or fewer values`);
  return out;
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/**
 * Checks that `vary.path` names a number of the scenario file's JSON `json` (or, absent from the
 * file, a number the validator fills in: `parsed`, the validated scenario, when there is one);
 * throws a message that names the --vary and the fix.
 */
export function checkVaryTarget(json: unknown, parsed: unknown, vary: Vary): void {
  const path = parsePath(vary.path);
  const value = getAt(json, path);
  if (typeof value === 'number') return;
  if (value === undefined) {
    if (parsed !== undefined && typeof getAt(parsed, path) === 'number') return;
    // The deepest part of the path that is there, and what it holds.
    let depth = path.length - 1;
    while (depth > 0 && getAt(json, path.slice(0, depth)) === undefined) depth--;
    const container = getAt(json, path.slice(0, depth));
    const at = depth === 0 ? 'the scenario' : pathString(path.slice(0, depth));
    let has = '';
    if (Array.isArray(container)) has = container.length === 0 ? `${at} is an empty list` : `${at} has entries [0]–[${container.length - 1}]`;
    else if (container !== null && typeof container === 'object') has = `${at} has ${Object.keys(container).join(', ')}`;
    else has = `${at} is ${kindOf(container)}`;
    throw refuse(vary.spec, `the scenario has no field ${vary.path} (${has}): name a numeric field of the scenario as mesostp check names fields`);
  }
  const leaves = numericLeaves(value, [...path]).map(pathString);
  const detail =
    value !== null && typeof value === 'object'
      ? 'type' in value
        ? ` (type ${JSON.stringify((value as { type: unknown }).type)})`
        : ''
      : ` (${JSON.stringify(value)?.slice(0, 40)})`;
  const what = `${vary.path} is ${kindOf(value)}${detail}, not a number`;
  if (leaves.length > 0) throw refuse(vary.spec, `${what}: vary one of its numbers: ${leaves.slice(0, 6).join(', ')}${leaves.length > 6 ? ', …' : ''}`);
  throw refuse(vary.spec, `${what}: --vary takes numeric fields`);
}

/** The paths of the numbers inside a JSON value, in order. */
function numericLeaves(v: unknown, at: (string | number)[]): (string | number)[][] {
  if (typeof v === 'number') return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => numericLeaves(x, [...at, i]));
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => numericLeaves(x, [...at, k]));
  return [];
}

/** The points: every combination of the values, the first --vary varying slowest (index order). */
export function gridPoints(varies: readonly Vary[]): number[][] {
  let points: number[][] = [[]];
  for (const v of varies) points = points.flatMap((p) => v.values.map((x) => [...p, x]));
  return points;
}

/** A copy of the scenario's JSON with the point's values set (the file's object is not changed). */
export function applyPoint<T>(json: T, varies: readonly Vary[], values: readonly number[]): T {
  let out = json;
  varies.forEach((v, i) => {
    out = setAt(out, parsePath(v.path), values[i]);
  });
  return out;
}

/** "projections[0].stp.U=0.5, projections[0].weight=0.3": a point in words. */
export function pointText(varies: readonly Vary[], values: readonly number[]): string {
  return varies.map((v, i) => `${v.path}=${values[i]}`).join(', ');
}

/** The folder name of point `index` of `count`: zero-padded to at least three digits. */
export function pointName(index: number, count: number): string {
  return String(index).padStart(Math.max(3, String(count - 1).length), '0');
}

const UNIT = /\(((?:1\/)?(?:s|Hz|mV·s|mV|mM|rad))(?:[,;][^)]*)?\)/;

/**
 * The unit of the field at `path` as the scenario schema describes it ("Recovery time constant
 * τD (s)" → "s"), for axis labels; the value of a function of time takes its function's unit.
 * Undefined where the description names none.
 */
export function fieldUnit(json: unknown, path: string): string | undefined {
  const parts = [...parsePath(path)];
  while (typeof parts.at(-1) === 'number') parts.pop();
  const unit = (p: readonly (string | number)[]) => UNIT.exec(fieldDescription(p, json) ?? '')?.[1];
  const own = unit(parts);
  if (own !== undefined || parts.length < 2 || !['value', 'values', 'offset', 'amplitude'].includes(String(parts.at(-1)))) return own;
  return unit(parts.slice(0, -1));
}
