/** Comparing two recordings' trial statistics (not a test file). */
import { expect } from 'vitest';
import type { RecordingStats } from '../../src/model/recording';
import type { TrialStats } from '../../src/model/trialStats';

function each(s: RecordingStats): [string, TrialStats][] {
  return [
    ...Object.entries(s.activity).map(([k, v]) => [`activity.${k}`, v] as [string, TrialStats]),
    ...Object.entries(s.inputs).flatMap(([k, v]) => [
      [`inputs.${k}.sampled`, v.sampled] as [string, TrialStats],
      [`inputs.${k}.populationMean`, v.populationMean] as [string, TrialStats],
    ]),
    ...Object.entries(s.stp).flatMap(([k, vars]) => Object.entries(vars).map(([v, x]) => [`stp.${k}.${v}`, x] as [string, TrialStats])),
  ];
}

/** Per-bin means within 1e-12 of the largest, M2 within 1e-9 relative (both are float64 sums in another order). */
export function expectSameStats(got: RecordingStats, want: RecordingStats, tol = { mean: 1e-12, m2: 1e-9 }): void {
  const w = new Map(each(want));
  expect(
    each(got)
      .map(([k]) => k)
      .sort(),
  ).toEqual([...w.keys()].sort());
  for (const [key, g] of each(got)) {
    const r = w.get(key)!;
    expect(g.count, key).toBe(r.count);
    expect(g.mean.length, key).toBe(r.mean.length);
    const scale = Math.max(1e-30, ...Array.from(r.mean, Math.abs));
    const m2Scale = Math.max(1e-30, ...Array.from(r.m2, Math.abs));
    for (let i = 0; i < r.mean.length; i++) {
      if (Math.abs(g.mean[i] - r.mean[i]) > tol.mean * scale) throw new Error(`${key} mean[${i}]: ${g.mean[i]} against ${r.mean[i]}`);
      if (Math.abs(g.m2[i] - r.m2[i]) > tol.m2 * m2Scale) throw new Error(`${key} m2[${i}]: ${g.m2[i]} against ${r.m2[i]}`);
    }
    expect(Math.abs(g.average.mean - r.average.mean), key).toBeLessThanOrEqual(tol.mean * scale);
    expect(Math.abs(g.average.m2 - r.average.m2), key).toBeLessThanOrEqual(Math.max(tol.m2, 1e-9) * Math.abs(r.average.m2) + 1e-20 * scale * scale * r.count);
  }
}
