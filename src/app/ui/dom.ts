/** Small DOM helpers for the app's panels (no framework: the page is a handful of panels). */
export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`mesostp: #${id} is missing from index.html`);
  return node as T;
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** An element with attributes (false/undefined omitted) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children);
  return node;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
