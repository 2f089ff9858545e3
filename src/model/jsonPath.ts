/**
 * JSON paths into a scenario, as the validator reports them ("projections[0].stp.U"), the app's
 * form addresses its fields and `mesostp analyze --sweep` names the swept parameter. Reading and
 * replacing never mutate the original, so an edit can always be undone by the previous draft.
 */
export type JsonPath = readonly (string | number)[];
/** A scenario being edited: plain JSON, validated as a whole on every change. */
export type Draft = Record<string, unknown>;

/** The path as the CLI prints it: keys joined by dots, indices in brackets. */
export function pathString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** The inverse of pathString: "projections[0].weight" → ['projections', 0, 'weight']. */
export function parsePath(text: string): JsonPath {
  return text
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function getAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v = json;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** A copy of `json` with the value at `path` replaced (containers along the path are copied, the rest shared). */
export function setAt<T>(json: T, path: JsonPath, value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path;
  const container = json as unknown;
  if (typeof head === 'number') {
    const array = Array.isArray(container) ? [...container] : [];
    array[head] = setAt(array[head], rest, value);
    return array as T;
  }
  const object = container !== null && typeof container === 'object' && !Array.isArray(container) ? { ...(container as Record<string, unknown>) } : {};
  object[head] = setAt(object[head], rest, value);
  return object as T;
}
