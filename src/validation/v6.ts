/**
 * Validation V6 (docs/validation/plan.md): scale and cost. The same scenario
 * (`scenarios/v6-scale.json`: depressing recurrent excitation with fixed in-degrees, so the mean
 * field is the same at every N) at growing N. Per N: the wall time per simulated trial-second of
 * micro-gpu, micro-cpu (one thread), meso and macro, and the accuracy of meso (stationary rate and
 * PSD of A_N per band, against micro-gpu, with V5's targets) and of macro (rate).
 */
import type { GpuContext } from '../gpu/device';
import type { VariantId } from '../engines';
import type { Progress, Recording } from '../model/recording';
import type { Scenario } from '../model/scenario';
import { parseScenario } from '../model/validate';
import { type Psd, psdStandardError, welchPsd } from '../analysis/psd';
import { type LineFigure, plusMinus } from '../analysis/figures/lineFigure';
import { formatSeconds } from '../io/formatSeconds';
import { levelColumns, levelVariants, runLevels, type RunSizes } from './runLevels';
import { bandDifference, relativeDifference, relativeSampleDifference, sampleMean, standardError, trialRates } from './compare';
import { metric, type Metric, type ReportSpec, type SetResult } from './report';
import { V5_BANDS, V5_PSD_SEGMENT, V5_TARGETS } from './v5';
import preset from '../../scenarios/v6-scale.json';

/** The report's levels (metric.level, the cost table) and the registry variant each runs, the reference first. */
const VARIANT_OF = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', meso: 'meso-mf2', age: 'meso-age', macro: 'macro' } as const satisfies Record<
  string,
  VariantId
>;
export type V6Level = keyof typeof VARIANT_OF;
const LEVELS: readonly V6Level[] = ['micro-gpu', 'micro-cpu', 'meso', 'age', 'macro'];
/** The variants V6 runs. */
export const V6_VARIANTS: readonly VariantId[] = LEVELS.map((l) => VARIANT_OF[l]);
const V = levelVariants<V6Level>(VARIANT_OF);

export interface V6Set {
  name: string;
  N: number;
}

const set = (N: number): V6Set => ({ name: `N = ${N}`, N });
export const V6_SETS: readonly V6Set[] = [200, 500, 1000, 3000, 10000, 30000, 100000].map(set);
export const V6_QUICK_SETS = ['N = 200', 'N = 1000'];

/**
 * gpuTrials: micro-gpu trials at N = 1000 (scaled by 1000/N, between 8 and 64, so that small N
 * do not cost less than large ones); cpuTrials: micro-cpu trials (one thread; a cost witness, run for at most
 * duration·min(1, 3000/N) s); mesoTrials: meso trials at every N; duration: seconds per trial.
 */
export type V6Sizes = RunSizes;
export const V6_SIZES: Record<'quick' | 'full', V6Sizes> = {
  quick: { gpuTrials: 8, cpuTrials: 1, mesoTrials: 16, duration: 2 },
  full: { gpuTrials: 16, cpuTrials: 1, mesoTrials: 64, duration: 4 },
};

export const V6_TRANSIENT = 0.5;

export function v6Trials(level: V6Level, N: number, s: V6Sizes): { trials: number; duration: number } {
  switch (level) {
    case 'micro-gpu':
      // At least 8: the standard errors of the rate and PSD bands come from the spread across trials.
      return { trials: Math.max(8, Math.min(64, Math.round((s.gpuTrials * 1000) / N))), duration: s.duration };
    case 'micro-cpu':
      return { trials: s.cpuTrials, duration: Math.max(2 * V6_TRANSIENT, s.duration * Math.min(1, 3000 / N)) };
    case 'meso':
    case 'age':
      return { trials: s.mesoTrials, duration: s.duration };
    case 'macro':
      return { trials: 1, duration: s.duration };
  }
}

export const V6_REPORT: ReportSpec = {
  experiment: 'v6',
  title: 'V6: scale and cost, micro against meso at growing N',
  columns: levelColumns<V6Level>(['meso', 'age', 'macro'], VARIANT_OF),
  judged: 'meso',
  summaryFigures: (results) => v6ScalingFigures(results),
  intro: [
    'One population of escape-noise LIF neurons with depressing recurrent excitation (fixed in-degree C = 100, U = 0.2, τD = 0.2 s)',
    'and Poisson input from 0.4·N sources (fixed in-degree 50): `scenarios/v6-scale.json` at every N. All in-degrees are fixed, so',
    'the N → ∞ limit is the same at every N and micro-cpu costs grow as N (neurons and synaptic events per second both ∝ N).',
    '',
    '**Cost.** Wall time per simulated trial-second (set-up included): micro-gpu runs its trials in parallel (more trials at small N),',
    'micro-cpu one trial on one thread, meso its trials one after the other, macro one deterministic run.',
    '',
    `**Accuracy.** Against micro-gpu, after ${V6_TRANSIENT} s: the stationary rate of E (relative difference ± s.e., target 5 %) and the PSD`,
    "of A_N per band (Welch, 512-ms Hann segments, target 15 %), V5's targets, judged for the engine's default STP mean-field (MF2);",
    'the age-resolved mean-field (docs/meso.md) is shown beside it. The macro limit (MF2) has no finite-size fluctuations, so only its',
    'rate is compared. The finite-size fluctuations shrink as 1/N, so the PSD bands are compared in relative terms.',
  ],
};

export interface V6Options {
  gpu: GpuContext;
  sizes: V6Sizes;
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

/** The preset at N neurons, the Poisson pool at 0.4·N. */
export function v6Scenario(N: number, trials: number, duration: number, seedOffset: number): Scenario {
  // biome-ignore lint/suspicious/noExplicitAny: the preset's raw JSON, edited before it is validated
  const raw = structuredClone(preset) as Record<string, any>;
  raw.populations.E.N = N;
  raw.populations.ext.N = Math.max(preset.projections[0].connectivity.C!, Math.round(0.4 * N));
  raw.run = { ...raw.run, trials, duration, seed: raw.run.seed + seedOffset };
  raw.record = { activity: true, binSize: 0.001 };
  return parseScenario(raw);
}

/** The scale scenario at the set's N with the level's trials, seconds and own seed. */
function levelScenario(level: V6Level, s: V6Set, sizes: V6Sizes): Scenario {
  const { trials, duration } = v6Trials(level, s.N, sizes);
  return v6Scenario(s.N, trials, duration, 10 * s.N + LEVELS.indexOf(level));
}

export interface V6Data {
  N: number;
  /** Wall seconds per simulated trial-second. */
  cost: Record<V6Level, number>;
  rate: Record<V6Level, { mean: number; se: number }>;
  /** The largest relative PSD band difference and the rate difference of each meso level; macro's rate difference. */
  psd: Record<'meso' | 'age', number>;
  /** The standard error of that largest band difference. */
  psdSe: Record<'meso' | 'age', number>;
  rateDiff: Record<'meso' | 'age' | 'macro', number>;
}

export async function runV6Set(s: V6Set, o: V6Options): Promise<SetResult> {
  const { recordings: recs, wallSeconds } = await runLevels('V6', s.name, LEVELS, VARIANT_OF, (level) => levelScenario(level, s, o.sizes), o);
  const ref = recs['micro-gpu'];
  const from = Math.round(V6_TRANSIENT / ref.binSize);
  const metrics: Metric[] = [];
  const a = trialRates(ref, 'E', from);
  const rates = {} as V6Data['rate'];
  const cost = {} as V6Data['cost'];
  for (const level of LEVELS) {
    const r = recs[level];
    const x = trialRates(r, 'E', from);
    rates[level] = { mean: sampleMean(x), se: standardError(x) };
    cost[level] = r.wallSeconds / (r.trials * r.bins * r.binSize);
  }
  const psdOf = (r: Recording) => welchPsd(r.activity.E, r.trials, r.bins, 0, from, r.bins, psdSegment(r), r.binSize);
  const psd = {} as V6Data['psd'];
  const psdSe = {} as V6Data['psdSe'];
  for (const level of ['meso', 'age', 'macro'] as V6Level[]) {
    const b = trialRates(recs[level], 'E', from);
    // The macro limit is deterministic: its one run has no sampling error.
    const r = level === 'macro' ? relativeDifference(sampleMean(a), standardError(a), b[0], 0) : relativeSampleDifference(a, b);
    metrics.push(metric({ set: s.name, population: 'E', quantity: 'rate', level, value: r.value, se: r.se, floor: r.se, target: V5_TARGETS.rate }));
  }
  const refPsd = psdOf(ref);
  const mesoPsd = { meso: psdOf(recs.meso), age: psdOf(recs.age) };
  for (const level of ['meso', 'age'] as const) {
    const bands = V5_BANDS.map(([lo, hi]) => {
      const d = bandDifference(refPsd, mesoPsd[level], lo, hi);
      metrics.push(
        metric({ set: s.name, population: 'E', quantity: `psd ${lo}–${hi} Hz`, level, value: d.value, se: d.se, floor: d.se, target: V5_TARGETS.psd }),
      );
      return d;
    });
    const worst = worstBand(bands);
    psd[level] = worst.value;
    psdSe[level] = worst.se;
  }
  const notes = [
    `Wall time per simulated trial-second: ${LEVELS.map((l) => `${V(l).label} ${formatSeconds(cost[l])} (${recs[l].trials} × ${(recs[l].bins * recs[l].binSize).toFixed(1)} s)`).join('; ')}.`,
    '',
    `Rate of E (trial mean ± s.e.): ${LEVELS.map((l) => `${V(l).label} ${rates[l].mean.toFixed(3)}${Number.isFinite(rates[l].se) ? ` ± ${rates[l].se.toFixed(3)}` : ''} Hz`).join('; ')}` +
      ` (micro-cpu: ${recs['micro-cpu'].trials} trial(s), a cost witness).`,
  ];
  const figures = v6SetFigures(s.N, {
    'micro-gpu': { trials: ref.trials, psd: refPsd },
    meso: { trials: recs.meso.trials, psd: mesoPsd.meso },
    age: { trials: recs.age.trials, psd: mesoPsd.age },
  });
  const diff = (l: V6Level) => Math.abs(rates[l].mean / rates['micro-gpu'].mean - 1);
  const data: V6Data = { N: s.N, cost, rate: rates, psd, psdSe, rateDiff: { meso: diff('meso'), age: diff('age'), macro: diff('macro') } };
  return { set: s.name, metrics, figures, wallSeconds, notes, data };
}

/**
 * The largest of the bands' relative differences and its standard error (0 without bands). A NaN
 * band stays the worst: unknown, not passed over, as Math.max has it.
 */
export function worstBand(bands: readonly { value: number; se: number }[]): { value: number; se: number } {
  let worst = { value: 0, se: 0 };
  for (const d of bands) {
    const value = Math.max(worst.value, d.value);
    // Object.is: a NaN already the worst is no change, and keeps its own standard error.
    if (!Object.is(value, worst.value)) worst = { value, se: d.se };
  }
  return worst;
}

/** The figures of one N, by file name: the PSD of A_N of micro-gpu and of each meso level, with their trials. */
export function v6SetFigures(N: number, levels: Record<'micro-gpu' | 'meso' | 'age', { trials: number; psd: Psd }>): Record<string, LineFigure> {
  const lines = (['micro-gpu', 'meso', 'age'] as const).map((level) => {
    const p = levels[level].psd;
    const keep = Array.from(p.f.keys()).filter((k) => p.f[k] >= 1 && p.f[k] <= 250);
    const se = psdStandardError(p);
    const y = keep.map((k) => p.power[k]);
    const spread = plusMinus(
      y,
      keep.map((k) => se[k]),
      'band',
    );
    return { label: `${V(level).label} (${levels[level].trials})`, x: keep.map((k) => p.f[k]), y, spread, color: V(level).color, dashed: V(level).dashed };
  });
  return {
    [`v6-n${N}-psd.svg`]: {
      title: `V6, N = ${N}: PSD of A_N`,
      uncertainty: 'bands: ± s.e. over trials',
      xLabel: 'frequency (Hz)',
      yLabel: 'PSD (Hz²/Hz)',
      logY: true,
      series: lines,
    },
  };
}

/** 512-ms Welch segments, or shorter when a trial is too short to hold one after the transient. */
function psdSegment(r: Recording): number {
  const usable = r.bins - Math.round(V6_TRANSIENT / r.binSize);
  let seg = V5_PSD_SEGMENT;
  while (seg > 64 && seg > usable) seg /= 2;
  return seg;
}

/** Cost and accuracy against N, from every set. */
export function v6ScalingFigures(results: SetResult[]): Record<string, LineFigure> {
  const d = results.map((r) => r.data as V6Data | undefined).filter((x): x is V6Data => x !== undefined);
  if (d.length < 2) return {};
  const N = d.map((x) => x.N);
  const cost: LineFigure = {
    title: 'V6: wall time per simulated trial-second against N',
    xLabel: 'N',
    yLabel: 'wall time per trial-second (s/s)',
    logX: true,
    logY: true,
    series: LEVELS.map((l) => ({ label: V(l).label, x: N, y: d.map((x) => x.cost[l]), color: V(l).color, dashed: V(l).dashed })),
  };
  // The rate difference |r/r₀ − 1| and its standard error from both rates' (delta method).
  const rateSpread = (l: 'meso' | 'age' | 'macro') => {
    const y = d.map((x) => x.rateDiff[l]);
    const se = d.map((x) => {
      const a = x.rate[l];
      const b = x.rate['micro-gpu'];
      const rel = Math.hypot(Number.isFinite(a.se) ? a.se / a.mean : 0, b.se / b.mean);
      return (a.mean / b.mean) * rel;
    });
    return { y, spread: plusMinus(y, se, 'bars') };
  };
  // The worst band's difference with that band's standard error (trials as samples, bandDifference).
  const psdSpread = (l: 'meso' | 'age') => {
    const y = d.map((x) => x.psd[l]);
    return {
      y,
      spread: plusMinus(
        y,
        d.map((x) => x.psdSe[l]),
        'bars',
      ),
    };
  };
  const accuracy: LineFigure = {
    title: 'V6: relative difference from micro-gpu against N',
    uncertainty: 'bars: ± s.e. of each difference',
    xLabel: 'N',
    yLabel: 'relative difference (fraction)',
    logX: true,
    logY: true,
    series: [
      { label: `${V('meso').short} rate`, x: N, ...rateSpread('meso'), color: V('meso').color },
      { label: `${V('meso').short} PSD (worst band)`, x: N, ...psdSpread('meso'), color: V('meso').color, dashed: true },
      { label: `${V('age').short} rate`, x: N, ...rateSpread('age'), color: V('age').color },
      { label: `${V('age').short} PSD (worst band)`, x: N, ...psdSpread('age'), color: V('age').color, dashed: true },
      { label: `${V('macro').short} rate`, x: N, ...rateSpread('macro'), color: V('macro').color },
    ],
  };
  return { 'v6-cost-vs-n.svg': cost, 'v6-accuracy-vs-n.svg': accuracy };
}
