/**
 * Two runs compared from what `mesostp run` writes (summary.json and the per-bin trial
 * statistics beside it), whatever level or simulator produced them: `mesostp compare A B`.
 *
 * Each summary quantity (population rates, input means, STP variables) is compared as the
 * difference of two independent means with standard error √(se_A² + se_B²). With k quantities
 * tested at once the verdict holds the chance of any false "differ" at α: a quantity differs
 * when |difference| > z·se with z the two-sided Bonferroni quantile Φ⁻¹(1 − α/2k). Each recorded
 * time course (per-bin trial means of activity, input population means, STP variables) is
 * compared bin by bin, z_k = (m_B,k − m_A,k)/√(v_A,k/n_A + v_B,k/n_B) with the trials as
 * samples (≥ 2 in each run), and differs where its largest |z_k| exceeds the Bonferroni bound
 * over every bin of every course. Neighbouring bins are correlated (a filtered input, an STP
 * variable), which makes a sum of z_k² useless as a χ² test; the largest |z| under a union bound
 * stays valid whatever the correlation, at the price of power. The bounds are normal ones, right
 * for the trial counts of a Monte Carlo (≥ 30 or so); with fewer, estimated standard errors give
 * heavier tails and the run says so in a note. No file is read here: compareRuns
 * takes the summaries and a reader of their arrays, so that the app and tests can use it too.
 */
import type { RunSummary } from './summary';
import { normalCdf } from './distributions';

export interface QuantityComparison {
  /** "rate E", "input mean E", "stp E->E u", … */
  name: string;
  a: number;
  b: number;
  /** b − a, and its standard error (null where either run has none: a single bin or block). */
  difference: number;
  se: number | null;
  /** difference / se. */
  z: number | null;
  /** b / a − 1 (null where a is 0). */
  relative: number | null;
  verdict: 'agree' | 'differ' | 'no uncertainty';
}

export interface TraceComparison {
  /** The statistics' key in summary.files without "stats." and ".mean": "activity.E", "inputs.E.populationMean", … */
  name: string;
  /** Bins with a trial variance in either run (the others are compared as equal or not, see notes). */
  bins: number;
  /** The mean of z_k² over the bins (about 1 where the runs agree and the standard errors are right). */
  meanZ2: number;
  /** The bin with the largest |z| and that z. */
  worstBin: number;
  worstZ: number;
  verdict: 'agree' | 'differ';
}

export interface RunComparison {
  quantities: QuantityComparison[];
  traces: TraceComparison[];
  /** Why some comparisons could not be made (different scenarios, bins, a single trial, …). */
  notes: string[];
  alpha: number;
  /** The |z| beyond which a quantity differs (Bonferroni over the quantities with an uncertainty). */
  zCritical: number;
  /** The |z| beyond which a bin of a time course differs (Bonferroni over every bin compared). */
  zCriticalBins: number;
  verdict: 'agree' | 'differ';
}

/** Reads the array a summary's `files` entry names (the caller resolves it against the run's folder). */
export type ReadArray = (summary: RunSummary, key: string) => ArrayLike<number> | null;

/** Φ⁻¹(p) for p in (0, 1), by bisection on normalCdf (ample for test thresholds). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p = ${p} is not in (0, 1)`);
  let lo = -40;
  let hi = 40;
  for (let k = 0; k < 200; k++) {
    const mid = 0.5 * (lo + hi);
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * What floating-point rounding alone can make of two equal values: a mean over many entries
 * computed in another order differs in the last digits (u = U0 at rest, summed by two simulators).
 */
function rounding(a: number, b: number): number {
  return 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/** The summary quantities with an uncertainty, in a fixed order: name, A's and B's mean and standard error. */
function summaryQuantities(a: RunSummary, b: RunSummary, notes: string[]): { name: string; a: [number, number | null]; b: [number, number | null] }[] {
  const out: { name: string; a: [number, number | null]; b: [number, number | null] }[] = [];
  const both = <T>(x: Record<string, T>, y: Record<string, T>, what: string): string[] => {
    const keys = Object.keys(x).filter((k) => k in y);
    const only = [...Object.keys(x).filter((k) => !(k in y)), ...Object.keys(y).filter((k) => !(k in x))];
    if (only.length > 0) notes.push(`${what} in one run only: ${only.join(', ')}`);
    return keys;
  };
  for (const p of both(a.populations, b.populations, 'populations'))
    out.push({ name: `rate ${p} (Hz)`, a: [a.populations[p].rateHz, a.populations[p].rateHzSem], b: [b.populations[p].rateHz, b.populations[p].rateHzSem] });
  for (const p of both(a.inputs, b.inputs, 'recorded inputs')) {
    const [x, y] = [a.inputs[p], b.inputs[p]];
    out.push({ name: `input mean ${p} (sampled neurons, mV)`, a: [x.mean, x.meanSem], b: [y.mean, y.meanSem] });
    out.push({
      name: `input mean ${p} (population, mV)`,
      a: [x.populationMean.mean, x.populationMean.meanSem],
      b: [y.populationMean.mean, y.populationMean.meanSem],
    });
  }
  for (const q of both(a.stp, b.stp, 'projections with recorded STP'))
    for (const v of both(a.stp[q], b.stp[q], `STP variables of ${q}`))
      out.push({ name: `stp ${q} ${v}`, a: [a.stp[q][v], a.stpSem[q]?.[v] ?? null], b: [b.stp[q][v], b.stpSem[q]?.[v] ?? null] });
  return out;
}

/** The time courses both runs hold statistics of ("activity.E", …): the keys of summary.files with a ".mean" statistic. */
function traceKeys(a: RunSummary, b: RunSummary): string[] {
  const keys = (s: RunSummary) => Object.keys(s.files).filter((k) => k.startsWith('stats.') && k.endsWith('.mean') && !k.includes('.sampled.'));
  const inB = new Set(keys(b));
  return keys(a)
    .filter((k) => inB.has(k))
    .map((k) => k.slice('stats.'.length, -'.mean'.length));
}

export function compareRuns(a: RunSummary, b: RunSummary, read: ReadArray, opts: { alpha?: number } = {}): RunComparison {
  const alpha = opts.alpha ?? 0.01;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`compare: alpha = ${alpha} must lie in (0, 1)`);
  const notes: string[] = [];
  if (a.scenario !== b.scenario) notes.push(`the runs are of different scenarios ("${a.scenario}" and "${b.scenario}")`);
  if (a.dt !== b.dt) notes.push(`the runs have different time steps (${a.dt} s and ${b.dt} s): discretisation differences are part of what is compared`);
  if (a.completedDuration !== b.completedDuration) notes.push(`the runs cover different durations (${a.completedDuration} s and ${b.completedDuration} s)`);

  if (Math.min(a.trials, b.trials) < 30 && Math.min(a.trials, b.trials) >= 2)
    notes.push(
      `with fewer than 30 trials in a run (${a.trials} and ${b.trials}) the estimated standard errors give the z-scores heavier tails than the normal bounds assume: "differ" comes more often than α`,
    );
  const raw = summaryQuantities(a, b, notes);
  const tested = raw.filter((q) => q.a[1] !== null && q.b[1] !== null).length;
  const zCritical = tested > 0 ? normalQuantile(1 - alpha / (2 * tested)) : Number.NaN;
  const quantities = raw.map((q): QuantityComparison => {
    const difference = q.b[0] - q.a[0];
    const tol = rounding(q.a[0], q.b[0]);
    const se = q.a[1] !== null && q.b[1] !== null ? Math.hypot(q.a[1], q.b[1]) : null;
    const z =
      se === null ? null : Math.abs(difference) <= tol ? (se > tol ? difference / se : 0) : se > tol ? difference / se : Math.sign(difference) * Infinity;
    const verdict = z === null ? 'no uncertainty' : Math.abs(z) <= zCritical ? 'agree' : 'differ';
    return { name: q.name, a: q.a[0], b: q.b[0], difference, se, z, relative: q.a[0] !== 0 ? q.b[0] / q.a[0] - 1 : null, verdict };
  });

  const traces: TraceComparison[] = [];
  let zCriticalBins = Number.NaN;
  const keys = traceKeys(a, b);
  if (a.trials < 2 || b.trials < 2) {
    if (keys.length > 0) notes.push(`time courses need at least 2 trials in each run (${a.trials} and ${b.trials}): not compared`);
  } else {
    const pending: Omit<TraceComparison, 'verdict'>[] = [];
    for (const name of keys) {
      const [ma, m2a, mb, m2b] = [read(a, `stats.${name}.mean`), read(a, `stats.${name}.m2`), read(b, `stats.${name}.mean`), read(b, `stats.${name}.m2`)];
      if (!ma || !m2a || !mb || !m2b) {
        notes.push(`${name}: a statistics file is missing`);
        continue;
      }
      if (ma.length !== mb.length) {
        notes.push(`${name}: ${ma.length} bins against ${mb.length} (different bin sizes or durations): not compared`);
        continue;
      }
      let sumZ2 = 0;
      let bins = 0;
      let worstBin = -1;
      let worstZ = 0;
      let constantDiffer = 0;
      for (let k = 0; k < ma.length; k++) {
        const v = m2a[k] / (a.trials - 1) / a.trials + m2b[k] / (b.trials - 1) / b.trials;
        const d = mb[k] - ma[k];
        const tol = rounding(ma[k], mb[k]);
        // No trial variance in either run (no spike in any trial, a variable at rest), or only the
        // rounding of a sum: equal or not, nothing to weigh.
        if (!(v > tol * tol)) {
          if (Math.abs(d) > tol) constantDiffer++;
          continue;
        }
        const z = d / Math.sqrt(v);
        sumZ2 += z * z;
        bins++;
        if (Math.abs(z) > Math.abs(worstZ)) {
          worstZ = z;
          worstBin = k;
        }
      }
      if (constantDiffer > 0) notes.push(`${name}: ${constantDiffer} bin(s) without trial variance in either run have different means`);
      if (bins > 0) pending.push({ name, bins, meanZ2: sumZ2 / bins, worstBin, worstZ });
    }
    const allBins = pending.reduce((n, t) => n + t.bins, 0);
    zCriticalBins = allBins > 0 ? normalQuantile(1 - alpha / (2 * allBins)) : Number.NaN;
    for (const t of pending) traces.push({ ...t, verdict: Math.abs(t.worstZ) <= zCriticalBins ? 'agree' : 'differ' });
  }
  const verdict = quantities.some((q) => q.verdict === 'differ') || traces.some((t) => t.verdict === 'differ') ? 'differ' : 'agree';
  return { quantities, traces, notes, alpha, zCritical, zCriticalBins, verdict };
}

/** The comparison as the text `mesostp compare` prints. */
export function formatComparison(c: RunComparison, labels: [string, string]): string {
  const fmt = (x: number | null, digits = 4) =>
    x === null || !Number.isFinite(x) ? '—' : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toPrecision(digits);
  const lines = [`A: ${labels[0]}`, `B: ${labels[1]}`, ''];
  if (c.quantities.length > 0) {
    lines.push(
      `Summary quantities (differ when |B − A| > ${fmt(c.zCritical, 3)} s.e.: α = ${c.alpha} over ${c.quantities.filter((q) => q.se !== null).length}):`,
    );
    for (const q of c.quantities)
      lines.push(
        `  ${q.verdict === 'differ' ? 'DIFFER' : q.verdict === 'agree' ? 'agree ' : '  —   '}  ${q.name}: A ${fmt(q.a)}, B ${fmt(q.b)}, B − A ${fmt(q.difference)} ± ${fmt(q.se, 2)} (z ${fmt(q.z, 3)}; ${q.relative === null ? '—' : `${(100 * q.relative).toFixed(2)} %`})`,
      );
  }
  if (c.traces.length > 0) {
    lines.push(
      '',
      `Time courses, bin by bin (differ when a bin's |B − A| > ${fmt(c.zCriticalBins, 3)} s.e.: α = ${c.alpha} over ${c.traces.reduce((n, t) => n + t.bins, 0)} bins):`,
    );
    for (const t of c.traces)
      lines.push(
        `  ${t.verdict === 'differ' ? 'DIFFER' : 'agree '}  ${t.name}: largest |z| ${Math.abs(t.worstZ).toFixed(2)} at bin ${t.worstBin}; mean z² ${t.meanZ2.toFixed(2)} over ${t.bins} bins with trial variance`,
      );
  }
  for (const n of c.notes) lines.push(`note: ${n}`);
  lines.push('', `Verdict: ${c.verdict === 'agree' ? 'the runs agree' : 'the runs differ'} (α = ${c.alpha}).`);
  return lines.join('\n');
}
