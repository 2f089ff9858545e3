/**
 * Agreement of two runs of one scenario by different simulators (mesostp's micro-cpu and a Brian2
 * export, or any two levels): compareRuns' summary quantities and time courses, plus quantities
 * that need every trial's arrays, each with a standard error across trials:
 *
 * - the Fano factor of the population spike count in windows of 10 ms (a trial's variance over
 *   its windows divided by their mean), which sees synchrony and bursts that a rate averages away;
 * - the s.d. over time of the population-mean input and of the sampled neurons' input, which
 *   sees the fluctuations a filter and STP shape, where an input mean sees only their average.
 *
 * Each of these is one number per trial, so its mean over trials has an honest standard error
 * (trials are independent) whatever the correlations within a trial. All quantities, compareRuns'
 * and these, are tested together under one Bonferroni bound: the chance of any false "differ" in
 * a comparison stays α. The bounds are Student's t with the trials' degrees of freedom
 * (n_A + n_B − 2, the two-sample statistic of equal variances, which is what two runs of the same
 * model have) rather than compareRuns' normal ones: with the 30–60 trials a test can afford, a
 * normal bound at α/(2k) is exceeded two to three times as often as it promises, because the
 * standard errors are themselves estimates. The test suite (test/peers/brian2Agreement.test.ts) and the report of
 * bench/agreement.ts (docs/agreement.md) both use this module.
 */
import type { Scenario } from '../model/scenario';
import { compareRuns, type QuantityComparison, type ReadArray, type TraceComparison } from './compareRuns';
import { studentTwoSidedQuantile } from './distributions';
import type { RunSummary } from './summary';

export interface MeanSe {
  mean: number;
  /** Standard error of the mean (null below two samples). */
  se: number | null;
  /** Samples (trials) that entered. */
  n: number;
}

/** Mean and standard error of independent samples (one per trial); NaN samples are left out. */
export function meanSe(values: ArrayLike<number>): MeanSe {
  const v = Array.from(values).filter((x) => !Number.isNaN(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, se: null, n };
  const mean = v.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, se: null, n };
  const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n), n };
}

/** Sample variance (n − 1) of a slice. */
export function variance(x: ArrayLike<number>, start: number, length: number): number {
  let s = 0;
  for (let i = 0; i < length; i++) s += x[start + i];
  const m = s / length;
  let v = 0;
  for (let i = 0; i < length; i++) v += (x[start + i] - m) ** 2;
  return v / (length - 1);
}

/**
 * The Fano factor of each trial's population spike count in windows of `windowBins` recording bins:
 * `activity` is [trials × bins] in Hz (what activity_<pop>.npy holds), turned back into counts with
 * N·binSize. A trial without a spike has no Fano factor (NaN). Bins after the last whole window are
 * left out.
 */
export function fanoFactors(activity: ArrayLike<number>, trials: number, bins: number, N: number, binSize: number, windowBins: number): number[] {
  if (!(Number.isInteger(windowBins) && windowBins >= 1)) throw new RangeError(`fanoFactors: windowBins = ${windowBins} must be an integer ≥ 1`);
  if (activity.length !== trials * bins) throw new RangeError(`fanoFactors: ${activity.length} values for ${trials} trials × ${bins} bins`);
  const windows = Math.floor(bins / windowBins);
  if (windows < 2) throw new RangeError(`fanoFactors: ${bins} bins make ${windows} window(s) of ${windowBins}; a variance needs two`);
  const out: number[] = [];
  const counts = new Float64Array(windows);
  for (let k = 0; k < trials; k++) {
    for (let w = 0; w < windows; w++) {
      let c = 0;
      for (let b = 0; b < windowBins; b++) c += activity[k * bins + w * windowBins + b] * N * binSize;
      // The activity is a count divided by N·binSize: rounding undoes the division's error.
      counts[w] = Math.round(c);
    }
    let mean = 0;
    for (let w = 0; w < windows; w++) mean += counts[w];
    mean /= windows;
    out.push(mean > 0 ? variance(counts, 0, windows) / mean : NaN);
  }
  return out;
}

/** Each trial's s.d. over time of a [trials × series × bins] array, averaged over its series (the sampled neurons). */
export function temporalSds(values: ArrayLike<number>, trials: number, series: number, bins: number): number[] {
  if (values.length !== trials * series * bins) throw new RangeError(`temporalSds: ${values.length} values for ${trials} × ${series} × ${bins}`);
  if (bins < 2) throw new RangeError('temporalSds: an s.d. over time needs two bins');
  const out: number[] = [];
  for (let k = 0; k < trials; k++) {
    let s = 0;
    for (let j = 0; j < series; j++) s += Math.sqrt(variance(values, (k * series + j) * bins, bins));
    out.push(s / series);
  }
  return out;
}

/** A quantity of both runs, each a mean over trials with its standard error. */
export interface TrialQuantity {
  name: string;
  a: MeanSe;
  b: MeanSe;
}

/**
 * The per-trial quantities of two runs of `scenario` from their arrays (activity_<pop>.npy,
 * input_<pop>_mean.npy, input_<pop>_sampled.npy): for every population with recorded activity the
 * Fano factor in windows of `window` seconds, and for every recorded input the temporal s.d. of the
 * population mean and of the sampled neurons. Needs every trial's arrays in both runs
 * (record.trials "all"); what cannot be computed is said in `notes`.
 */
export function trialQuantities(
  scenario: Scenario,
  a: RunSummary,
  b: RunSummary,
  read: ReadArray,
  opts: { window?: number } = {},
): { quantities: TrialQuantity[]; notes: string[] } {
  const window = opts.window ?? 0.01;
  const notes: string[] = [];
  const quantities: TrialQuantity[] = [];
  for (const s of [a, b])
    if (s.record.keptTrials < 2) {
      notes.push(`the ${s.level} run keeps the arrays of ${s.record.keptTrials} trial(s): the per-trial quantities need at least 2`);
      return { quantities, notes };
    }
  const binSize = scenario.record.binSize ?? scenario.run.dt;
  const windowBins = Math.round(window / binSize);
  // Two runs hold per-trial arrays of the same shape only if they recorded the same bins.
  const perTrial = (key: string, series: number): [ArrayLike<number>, ArrayLike<number>, number] | null => {
    const [x, y] = [read(a, key), read(b, key)];
    if (!x || !y) {
      notes.push(`${key}: an array is missing`);
      return null;
    }
    const bins = x.length / (a.record.keptTrials * series);
    if (!Number.isInteger(bins) || y.length !== b.record.keptTrials * series * bins) {
      notes.push(`${key}: the runs' arrays have different bins (${x.length} and ${y.length} values): not compared`);
      return null;
    }
    return [x, y, bins];
  };
  if (windowBins < 1 || Math.abs(windowBins * binSize - window) > 1e-9 * window)
    notes.push(`the Fano window ${window} s is not a whole number of bins of ${binSize} s: no Fano factors`);
  else
    for (const [pop, p] of Object.entries(scenario.populations)) {
      if (!(pop in a.populations && pop in b.populations)) continue;
      const arrays = perTrial(`activity.${pop}`, 1);
      if (!arrays) continue;
      const [x, y, bins] = arrays;
      const fano = (s: RunSummary, v: ArrayLike<number>) => meanSe(fanoFactors(v, s.record.keptTrials, bins, p.N, binSize, windowBins));
      quantities.push({ name: `Fano factor ${pop} (${+(1000 * window).toPrecision(6)} ms windows)`, a: fano(a, x), b: fano(b, y) });
    }
  for (const r of scenario.record.inputs) {
    const pop = r.population;
    if (!(pop in a.inputs && pop in b.inputs)) continue;
    const mean = perTrial(`inputs.${pop}.populationMean`, 1);
    if (mean) {
      const [x, y, bins] = mean;
      quantities.push({
        name: `input s.d. over time ${pop} (population mean, mV)`,
        a: meanSe(temporalSds(x, a.record.keptTrials, 1, bins)),
        b: meanSe(temporalSds(y, b.record.keptTrials, 1, bins)),
      });
    }
    const sampled = perTrial(`inputs.${pop}.sampled`, r.neurons);
    if (sampled) {
      const [x, y, bins] = sampled;
      quantities.push({
        name: `input s.d. over time ${pop} (sampled neurons, mV)`,
        a: meanSe(temporalSds(x, a.record.keptTrials, r.neurons, bins)),
        b: meanSe(temporalSds(y, b.record.keptTrials, r.neurons, bins)),
      });
    }
  }
  return { quantities, notes };
}

export interface Agreement {
  /** compareRuns' summary quantities, then the per-trial ones, every verdict against `zCritical`. */
  quantities: QuantityComparison[];
  /** compareRuns' time courses and their verdicts (their own Bonferroni bound over every bin). */
  traces: TraceComparison[];
  notes: string[];
  alpha: number;
  /** Degrees of freedom of the bounds: n_A + n_B − 2 over the samples of a mean (trials; 10 blocks for a single trial). */
  dof: number;
  /** The |z| beyond which a quantity differs: Student's t at α/(2k), k the quantities with an uncertainty. */
  zCritical: number;
  /** The |z| beyond which a bin of a time course differs: the same over every bin of every course. */
  zCriticalBins: number;
  /** Whether every quantity agrees (the time courses are not part of it: see `tracesVerdict`). */
  verdict: 'agree' | 'differ';
  tracesVerdict: 'agree' | 'differ';
}

/** The verdicts of `rows` against the Bonferroni bound of α over those with an uncertainty. */
function judge(rows: Omit<QuantityComparison, 'verdict'>[], alpha: number, dof: number): { rows: QuantityComparison[]; zCritical: number } {
  const tested = rows.filter((q) => q.z !== null).length;
  const zCritical = tested > 0 ? studentTwoSidedQuantile(alpha / tested, dof) : Number.NaN;
  return {
    rows: rows.map((q) => ({ ...q, verdict: q.z === null ? 'no uncertainty' : Math.abs(q.z) <= zCritical ? 'agree' : 'differ' })),
    zCritical,
  };
}

/** The comparison of one quantity's two means (b − a over √(se_a² + se_b²)). */
function difference(name: string, a: number, sa: number | null, b: number, sb: number | null): Omit<QuantityComparison, 'verdict'> {
  const d = b - a;
  const se = sa !== null && sb !== null ? Math.hypot(sa, sb) : null;
  const z = se !== null && se > 0 ? d / se : se === 0 ? (d === 0 ? 0 : Math.sign(d) * Infinity) : null;
  return { name, a, b, difference: d, se, z, relative: a !== 0 ? b / a - 1 : null };
}

/**
 * Two runs of `scenario` compared: every summary quantity (compareRuns) and every per-trial
 * quantity (trialQuantities) at one Bonferroni bound for α over all of them, and compareRuns'
 * time courses at one over all their bins (Student's t bounds, see the top of this file).
 */
export function compareAgreement(scenario: Scenario, a: RunSummary, b: RunSummary, read: ReadArray, opts: { alpha?: number; window?: number } = {}): Agreement {
  const alpha = opts.alpha ?? 0.01;
  const runs = compareRuns(a, b, read, { alpha });
  const extra = trialQuantities(scenario, a, b, read, { window: opts.window });
  const rows = [...runs.quantities.map(({ verdict: _, ...q }) => q), ...extra.quantities.map((q) => difference(q.name, q.a.mean, q.a.se, q.b.mean, q.b.se))];
  // summary.ts takes a single trial's standard error over 10 blocks of time.
  const samples = (s: RunSummary) => (s.trials >= 2 ? s.trials : 10);
  const dof = samples(a) + samples(b) - 2;
  const { rows: quantities, zCritical } = judge(rows, alpha, dof);
  const bins = runs.traces.reduce((n, t) => n + t.bins, 0);
  const zCriticalBins = bins > 0 ? studentTwoSidedQuantile(alpha / bins, a.trials + b.trials - 2) : Number.NaN;
  const traces = runs.traces.map((t): TraceComparison => ({ ...t, verdict: Math.abs(t.worstZ) <= zCriticalBins ? 'agree' : 'differ' }));
  // compareRuns' notes on small trial counts concern its normal bounds, which these replace.
  const notes = [...runs.notes.filter((n) => !n.startsWith('with fewer than 30 trials')), ...extra.notes];
  return {
    quantities,
    traces,
    notes,
    alpha,
    dof,
    zCritical,
    zCriticalBins,
    verdict: quantities.some((q) => q.verdict === 'differ') ? 'differ' : 'agree',
    tracesVerdict: traces.some((t) => t.verdict === 'differ') ? 'differ' : 'agree',
  };
}

/** A number for a table: 4 significant digits, exponent notation outside [10⁻³, 10⁴). */
export function formatNumber(x: number | null, digits = 4): string {
  if (x === null || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const text = Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(digits - 1) : x.toPrecision(digits);
  return text.replace(/-/g, '−');
}

/** The header of agreementRows' table, its separator line included. */
export const AGREEMENT_TABLE_HEADER = [
  '| scenario | mode | quantity | mesostp | Brian2 | difference ± s.e. | z | verdict |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];

/**
 * Markdown table rows (AGREEMENT_TABLE_HEADER's columns) of one comparison: a row per quantity,
 * then a row per time course (its largest |z| over the bins and the bound it is held to).
 * `a` is mesostp's run and `b` Brian2's, as the columns say.
 */
export function agreementRows(scenario: string, mode: string, c: Agreement): string[] {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const verdict = (v: string) => (v === 'differ' ? '**differ**' : v);
  const rows = c.quantities.map(
    (q) =>
      `| ${cell(scenario)} | ${cell(mode)} | ${cell(q.name)} | ${formatNumber(q.a)} | ${formatNumber(q.b)} | ${formatNumber(q.difference, 3)} ± ${formatNumber(q.se, 2)} | ${formatNumber(q.z, 3)} | ${verdict(q.verdict)} |`,
  );
  for (const t of c.traces)
    rows.push(
      `| ${cell(scenario)} | ${cell(mode)} | time course ${cell(t.name)} (${t.bins} bins; largest \\|z\\| at bin ${t.worstBin}, bound ${formatNumber(c.zCriticalBins, 3)}) | | | | ${formatNumber(t.worstZ, 3)} | ${verdict(t.verdict)} |`,
    );
  return rows;
}
