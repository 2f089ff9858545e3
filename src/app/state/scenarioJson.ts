/**
 * The scenario the app edits is plain JSON (as loaded from a preset, a file or a shared URL),
 * validated as a whole on every change; these helpers read and replace one field of it by its
 * JSON path without mutating the original, so an edit can always be undone by the previous draft.
 */
export type JsonPath = readonly (string | number)[];
export type Draft = Record<string, unknown>;

export function getAt(json: unknown, path: JsonPath): unknown {
  let v = json;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
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
