/**
 * A duration for tables and reports: seconds, milliseconds or microseconds with 3 significant-ish
 * digits; '—' when unknown. Differences of durations can be negative (a steady-state cost within
 * the noise of its two runs), and keep the unit of their size.
 */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  const a = Math.abs(s);
  if (a >= 1) return `${s.toFixed(2)} s`;
  if (a >= 1e-3) return `${(1e3 * s).toFixed(1)} ms`;
  return `${(1e6 * s).toFixed(0)} µs`;
}
