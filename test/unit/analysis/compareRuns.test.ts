import { describe, expect, it } from 'vitest';
import { compareRuns, normalQuantile, type ReadArray } from '../../../src/analysis/compareRuns';
import { normalCdf } from '../../../src/analysis/distributions';
import type { RunSummary } from '../../../src/analysis/summary';
import { meanM2 } from '../../../src/model/trialStats';

/** A deterministic normal generator (Box–Muller on a small LCG), the test's own. */
function normals(seed: number) {
  // The seed scrambled (a multiplicative hash), so that consecutive seeds start unrelated streams.
  let s = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  for (let k = 0; k < 10; k++) u();
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/**
 * A run of `trials` trials of one population: per trial a rate (Hz) and a time course of `bins`
 * bins that follows `course(k)` plus noise smoothed over neighbouring bins (correlated, as a
 * filtered input is), written as summary.json and its per-bin statistics would be.
 */
function fakeRun(o: { seed: number; trials: number; rate: number; bins: number; course: (k: number) => number; scenario?: string }) {
  const z = normals(o.seed);
  const rates = Array.from({ length: o.trials }, () => o.rate + z());
  const traces = Array.from({ length: o.trials }, () => {
    let e = 0;
    return Array.from({ length: o.bins }, (_, k) => {
      e = 0.9 * e + Math.sqrt(1 - 0.81) * z();
      return o.course(k) + e;
    });
  });
  const r = meanM2(rates);
  const mean = new Float64Array(o.bins);
  const m2 = new Float64Array(o.bins);
  for (let k = 0; k < o.bins; k++) {
    const s = meanM2(traces.map((t) => t[k]));
    mean[k] = s.mean;
    m2[k] = s.m2;
  }
  const summary = {
    scenario: o.scenario ?? 'fake',
    level: 'test',
    trials: o.trials,
    dt: 1e-4,
    duration: 1,
    completedDuration: 1,
    cancelled: false,
    seed: o.seed,
    wallSeconds: 0,
    record: { trials: 'all', keptTrials: o.trials },
    populations: { E: { rateHz: r.mean, rateHzSem: Math.sqrt(r.m2 / (o.trials - 1) / o.trials) } },
    inputs: {},
    stp: {},
    stpSem: {},
    engine: {},
    files: { 'stats.activity.E.mean': 'mean', 'stats.activity.E.m2': 'm2' },
  } as unknown as RunSummary;
  return { summary, arrays: { mean, m2 } as Record<string, Float64Array> };
}

function compare(a: ReturnType<typeof fakeRun>, b: ReturnType<typeof fakeRun>, alpha = 0.01) {
  const runs = new Map([
    [a.summary, a.arrays],
    [b.summary, b.arrays],
  ]);
  const read: ReadArray = (s, key) => runs.get(s)?.[s.files[key]] ?? null;
  return compareRuns(a.summary, b.summary, read, { alpha });
}

const flat = () => 0;

describe('compareRuns: two runs, quantity by quantity and bin by bin', () => {
  it('inverts the normal CDF', () => {
    for (const p of [1e-6, 0.01, 0.5, 0.975, 1 - 1e-5]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758, 3);
  });

  it('finds runs of the same model in agreement about as often as α promises', () => {
    // Each pair is two independent runs of one model of 100 trials: the verdict errs with
    // probability about 2α (quantities and courses, α each), 2 % here, so about 2 of 100 pairs;
    // 8 or more would happen with probability below 0.1 %. (With 40 trials the estimated
    // standard errors give z heavier tails than the normal bound assumes: 5 of 100 err.)
    let wrong = 0;
    let meanZ2 = 0;
    const pairs = 100;
    for (let k = 0; k < pairs; k++) {
      const c = compare(
        fakeRun({ seed: 2 * k + 1, trials: 100, rate: 5, bins: 200, course: flat }),
        fakeRun({ seed: 2 * k + 2, trials: 100, rate: 5, bins: 200, course: flat }),
      );
      if (c.verdict === 'differ') wrong++;
      meanZ2 += c.traces[0].meanZ2 / pairs;
    }
    expect(wrong).toBeLessThan(8);
    // The standard errors are right: z² averages 1 (within a few per cent).
    expect(meanZ2).toBeGreaterThan(0.93);
    expect(meanZ2).toBeLessThan(1.1);
  });

  it('finds a rate 1.5 Hz apart (about 6.7 standard errors) different, and says by how much', () => {
    const c = compare(fakeRun({ seed: 1, trials: 40, rate: 5, bins: 50, course: flat }), fakeRun({ seed: 2, trials: 40, rate: 6.5, bins: 50, course: flat }));
    expect(c.verdict).toBe('differ');
    const q = c.quantities.find((x) => x.name.startsWith('rate E'))!;
    expect(q.verdict).toBe('differ');
    expect(q.difference).toBeCloseTo(1.5, 0);
    expect(q.relative!).toBeCloseTo(0.3, 1);
  });

  it('finds a time course that departs in a few bins different, correlated noise or not', () => {
    const bump = (k: number) => (k >= 100 && k < 105 ? 1.5 : 0);
    const c = compare(fakeRun({ seed: 3, trials: 40, rate: 5, bins: 200, course: flat }), fakeRun({ seed: 4, trials: 40, rate: 5, bins: 200, course: bump }));
    expect(c.quantities[0].verdict).toBe('agree');
    expect(c.traces[0].verdict).toBe('differ');
    expect(c.traces[0].worstBin).toBeGreaterThanOrEqual(100);
    expect(c.traces[0].worstBin).toBeLessThan(105);
  });

  it('notes what it cannot compare: single trials, different bins and scenarios', () => {
    const single = compare(
      fakeRun({ seed: 5, trials: 1 + 1, rate: 5, bins: 20, course: flat }),
      fakeRun({ seed: 6, trials: 2, rate: 5, bins: 30, course: flat, scenario: 'other' }),
    );
    expect(single.notes.join('\n')).toMatch(/different scenarios/);
    expect(single.notes.join('\n')).toMatch(/20 bins against 30/);
    expect(single.traces).toHaveLength(0);
    const a = fakeRun({ seed: 7, trials: 2, rate: 5, bins: 20, course: flat });
    (a.summary as { trials: number }).trials = 1;
    const c = compare(a, fakeRun({ seed: 8, trials: 2, rate: 5, bins: 20, course: flat }));
    expect(c.notes.join('\n')).toMatch(/at least 2 trials/);
  });

  it('refuses an α outside (0, 1)', () => {
    const a = fakeRun({ seed: 9, trials: 4, rate: 5, bins: 5, course: flat });
    expect(() => compare(a, a, 0)).toThrow(/alpha/);
  });
});
