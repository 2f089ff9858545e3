/**
 * Estimated time left of a run from its progress fractions, for the CLI's progress line and the
 * app's progress bars alike. The rate is fitted over the recent
 * window (not since the start) so that a slow start-up — shader compilation, the first batch's
 * buffers — does not make every later estimate too long.
 */
export class EtaEstimator {
  private readonly samples: { t: number; f: number }[] = [];

  constructor(private readonly windowSeconds = 10) {}

  /** Records progress `fraction` at time `t` (s) and returns the seconds left, or null while unknown. */
  update(t: number, fraction: number): number | null {
    this.samples.push({ t, f: fraction });
    while (this.samples.length > 2 && t - this.samples[1].t >= this.windowSeconds) this.samples.shift();
    const first = this.samples[0];
    const df = fraction - first.f;
    const dtime = t - first.t;
    if (fraction >= 1) return 0;
    if (df <= 0 || dtime <= 0) return null;
    return ((1 - fraction) * dtime) / df;
  }
}

/** "12 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
