/** A duration for tables and reports: seconds, milliseconds or microseconds with 3 significant-ish digits; '—' when unknown. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s >= 1) return `${s.toFixed(2)} s`;
  if (s >= 1e-3) return `${(1e3 * s).toFixed(1)} ms`;
  return `${(1e6 * s).toFixed(0)} µs`;
}
