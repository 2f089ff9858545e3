/**
 * Validation V4 (docs/validation/plan.md): population spikes in an E–I network with depressing
 * excitatory synapses (`scenarios/v4-population-spikes.json`). Compared with micro-gpu: the rate
 * of population spikes of E, their mean amplitude (targets 20 % and 15 %), and the
 * inter-event-interval distribution (two-sample Kolmogorov–Smirnov test, reported). Levels: the
 * mesoscopic engine with the age-resolved STP mean-field (judged), MF2 and MF1 (reported), and
 * micro-cpu as a second witness.
 *
 * V4b runs the same comparison on the network in the regime MF1 and MF2 are derived for
 * (`scenarios/v4b-population-spikes-irregular.json`: neurons that fire irregularly between the
 * population spikes), judged for MF2.
 */
import type { GpuContext } from '../gpu/device';
import type { VariantId } from '../engines';
import type { Progress, Recording } from '../model/recording';
import type { Scenario, ScenarioInput } from '../model/scenario';
import { parseScenario } from '../model/validate';
import { detectPopulationSpikes, POPULATION_SPIKE_DEFAULTS } from '../analysis/populationSpikes';
import { ksTwoSample } from '../analysis/kolmogorovSmirnov';
import { interspikeIntervalCv, type IsiStatistics } from '../analysis/interspikeIntervals';
import { leadingSeries, type LineFigure, plusMinus } from '../analysis/figures/lineFigure';
import { levelColumns, levelVariants, runLevels, type RunSizes } from './runLevels';
import { relativeSampleDifference, sampleMean } from './compare';
import { metric, type Metric, type ReportSpec, type SetResult } from './report';
import preset from '../../scenarios/v4-population-spikes.json';
import irregularPreset from '../../scenarios/v4b-population-spikes-irregular.json';

/** The report's levels (metric.level) and the registry variant each runs, the reference first. */
const VARIANT_OF = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', age: 'meso-age', mf2: 'meso-mf2', mf1: 'meso-mf1' } as const satisfies Record<
  string,
  VariantId
>;
export type V4Level = keyof typeof VARIANT_OF;
const COMPARED: readonly V4Level[] = ['micro-cpu', 'age', 'mf2', 'mf1'];
const LEVELS: readonly V4Level[] = ['micro-gpu', ...COMPARED];
/** The variants V4 runs. */
export const V4_VARIANTS: readonly VariantId[] = LEVELS.map((l) => VARIANT_OF[l]);
const V = levelVariants<V4Level>(VARIANT_OF);

export type V4Sizes = RunSizes;

export const V4_SIZES: Record<'quick' | 'full', V4Sizes> = {
  quick: { gpuTrials: 4, cpuTrials: 2, mesoTrials: 8, duration: 10 },
  full: { gpuTrials: 16, cpuTrials: 8, mesoTrials: 32, duration: 30 },
};

export const V4_TARGETS = { rate: 0.2, amplitude: 0.15 };
/** Seconds discarded at the start (the first burst comes from the initial state). */
export const V4_TRANSIENT = 0.5;

const { smoothBins, high, low } = POPULATION_SPIKE_DEFAULTS;

/** micro-gpu records the spikes of this many E neurons, for the ISI CV of the regime. */
const SPIKE_NEURONS = 200;
/**
 * An interval counts as "between population spikes" when neither of its spikes falls from 10 ms
 * before an event's detected start to 50 ms after it (a population spike lasts ≈ 20 ms).
 */
export const V4_EVENT_WINDOW: readonly [number, number] = [-0.01, 0.05];

const regimeIntro = (what: string) => [
  '',
  `**Regime.** The ISI CV of ${SPIKE_NEURONS} E neurons of micro-gpu (intervals pooled over the neurons of a trial, mean ± s.e. over`,
  `trials) is given below, over all intervals and over those between population spikes (neither spike from ${-1000 * V4_EVENT_WINDOW[0]} ms before`,
  `an event's start to ${1000 * V4_EVENT_WINDOW[1]} ms after it): ${what}`,
];

export const V4_REPORT: ReportSpec = {
  experiment: 'v4',
  title: 'V4: population spikes, micro against meso',
  columns: levelColumns(COMPARED, VARIANT_OF),
  judged: 'age',
  intro: [
    'An E–I network of escape-noise LIF neurons (400 E, 100 I) whose excitatory synapses depress',
    '(U = 0.5, τD = 0.2 s) fires population spikes: brief synchronous bursts that depression ends.',
    `A population spike of E is a crossing of the ${smoothBins}-ms boxcar-smoothed A_N above ${high} Hz (ended below ${low} Hz);`,
    `its amplitude is the smoothed peak. The first ${V4_TRANSIENT} s are discarded.`,
    '',
    '**Metrics.** Relative difference from micro-gpu of the population-spike rate (events per second,',
    "trial to trial standard error) and of the mean amplitude (over trials), with docs/validation/plan.md's",
    'targets 20 % and 15 %; the inter-event intervals are compared by a two-sample KS test below.',
    '',
    '**Levels.** The targets are judged for the mesoscopic engine with its age-resolved STP',
    'mean-field (docs/meso.md: u, x per age bin of the population, so the neurons that fire carry',
    'their own resources). MF2 and MF1 take the resources of the neurons that fire to be the',
    'population mean; right after a population spike every neuron has just fired and is depleted,',
    'and the neurons that fire first afterwards are the ones that have recovered. The table shows',
    'what that assumption costs here.',
    ...regimeIntro(
      'with 4-ms refractoriness and τm = 20 ms a neuron needs tens of milliseconds to recover from its reset, so it fires more regularly than a Poisson train. V4b runs the same network with neurons that recover within a few milliseconds.',
    ),
  ],
};

export const V4B_REPORT: ReportSpec = {
  experiment: 'v4b',
  title: "V4b: population spikes with irregularly firing neurons, the regime of MF2's derivation",
  columns: levelColumns(COMPARED, VARIANT_OF),
  judged: 'mf2',
  intro: [
    "V4's E–I network (400 E, 100 I, depressing excitation U = 0.5, τD = 0.2 s) with membranes ten times faster (τm = 2 ms) and",
    '2-ms refractoriness, weights × 5 (`scenarios/v4b-population-spikes-irregular.json`): a neuron forgets its reset within a few',
    'milliseconds, so between population spikes its hazard follows its input and it fires nearly as a Poisson process; the',
    'refractoriness keeps a population spike to about one spike per neuron. MF1 and MF2 (Schmutz, Gerstner & Schwalger 2020)',
    'are derived for Poisson presynaptic spike trains, so this is the regime where they should hold, and the targets of V4',
    "(event rate 20 %, mean amplitude 15 %) are judged for MF2, the paper's mean-field. The age-resolved mean-field and MF1 are",
    'shown beside it; V4 (regular firing) is the contrast.',
    '',
    `Detection and metrics are V4's: a population spike of E is a crossing of the ${smoothBins}-ms boxcar-smoothed A_N above ${high} Hz`,
    `(ended below ${low} Hz), its amplitude the smoothed peak; the first ${V4_TRANSIENT} s are discarded.`,
    ...regimeIntro('compare V4, whose neurons recover from their reset ten times more slowly.'),
  ],
};

/** One population-spike experiment: its report, its network and the name of its one set. */
export interface V4Case {
  report: ReportSpec;
  /** 'V4' or 'V4b': figure titles, and (lower-cased) figure file names. */
  tag: string;
  preset: ScenarioInput;
  set: string;
}

export const V4_CASE: V4Case = { report: V4_REPORT, tag: 'V4', preset: preset as unknown as ScenarioInput, set: 'population spikes' };
export const V4B_CASE: V4Case = {
  report: V4B_REPORT,
  tag: 'V4b',
  preset: irregularPreset as unknown as ScenarioInput,
  set: 'population spikes, irregular firing',
};

export interface V4Options {
  gpu: GpuContext;
  sizes: V4Sizes;
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

function sized(c: V4Case, trials: number, duration: number, seedOffset: number, spikes: boolean): Scenario {
  // biome-ignore lint/suspicious/noExplicitAny: the preset's raw JSON, edited before it is validated
  const raw = structuredClone(c.preset) as Record<string, any>;
  raw.run = { ...raw.run, trials, duration, seed: raw.run.seed + seedOffset };
  raw.record = { activity: true, binSize: 0.001, spikes: spikes ? [{ population: 'E', neurons: SPIKE_NEURONS }] : [] };
  return parseScenario(raw);
}

/** Trials of each level, and its own seed; micro-gpu records spikes for the ISI CV. */
function levelScenario(c: V4Case, level: V4Level, sizes: V4Sizes): Scenario {
  const { duration } = sizes;
  switch (level) {
    case 'micro-gpu':
      return sized(c, sizes.gpuTrials, duration, 0, true);
    case 'micro-cpu':
      return sized(c, sizes.cpuTrials, duration, 1, false);
    default:
      return sized(c, sizes.mesoTrials, duration, level === 'age' ? 2 : level === 'mf2' ? 3 : 4, false);
  }
}

export interface Events {
  ratePerTrial: number[];
  amplitudePerTrial: number[];
  intervals: number[];
}

/** The population spikes of E after the transient: their rate and mean amplitude per trial, and the intervals between them. */
export function populationSpikeEvents(r: Recording): Events {
  const from = Math.round(V4_TRANSIENT / r.binSize);
  const d = detectPopulationSpikes(r.activity.E, r.trials, r.bins, { binSeconds: r.binSize });
  const span = (r.bins - from) * r.binSize;
  const ratePerTrial: number[] = [];
  const amplitudePerTrial: number[] = [];
  const intervals: number[] = [];
  for (let t = 0; t < r.trials; t++) {
    const keep = d.times[t].map((x, i) => [x, d.amplitudes[t][i]]).filter(([x]) => x >= V4_TRANSIENT);
    ratePerTrial.push(keep.length / span);
    if (keep.length > 0) amplitudePerTrial.push(keep.reduce((s, [, a]) => s + a, 0) / keep.length);
    for (let i = 1; i < keep.length; i++) intervals.push(keep[i][0] - keep[i - 1][0]);
  }
  return { ratePerTrial, amplitudePerTrial, intervals };
}

/** micro-gpu's ISI CV over all intervals after the transient, and over those between population spikes. */
export function regimeCv(r: Recording): { all: IsiStatistics; between: IsiStatistics } {
  const d = detectPopulationSpikes(r.activity.E, r.trials, r.bins, { binSeconds: r.binSize });
  const [before, after] = V4_EVENT_WINDOW;
  const nearEvent = (trial: number, t: number) => d.times[trial].some((e) => t >= e + before && t <= e + after);
  return {
    all: interspikeIntervalCv(r.spikes.E, r.trials, V4_TRANSIENT),
    between: interspikeIntervalCv(r.spikes.E, r.trials, V4_TRANSIENT, (trial, a, b) => !nearEvent(trial, a) && !nearEvent(trial, b)),
  };
}

export async function runV4Set(o: V4Options, c: V4Case = V4_CASE): Promise<SetResult> {
  const set = c.set;
  const { recordings: recs, wallSeconds } = await runLevels(c.tag, set, LEVELS, VARIANT_OF, (level) => levelScenario(c, level, o.sizes), o);
  // Each level's population spikes, detected once for the metrics, the KS tests and the figures.
  const ev = Object.fromEntries(LEVELS.map((l) => [l, populationSpikeEvents(recs[l])])) as Record<V4Level, Events>;
  const ref = ev['micro-gpu'];
  const metrics: Metric[] = [];
  const ks: Record<string, { D: number; p: number; n: number }> = {};
  for (const level of COMPARED) {
    const e = ev[level];
    const r = relativeSampleDifference(ref.ratePerTrial, e.ratePerTrial);
    metrics.push(metric({ set, population: 'E', quantity: 'event rate', level, value: r.value, se: r.se, floor: r.se, target: V4_TARGETS.rate }));
    const a = relativeSampleDifference(ref.amplitudePerTrial, e.amplitudePerTrial);
    metrics.push(metric({ set, population: 'E', quantity: 'mean amplitude', level, value: a.value, se: a.se, floor: a.se, target: V4_TARGETS.amplitude }));
    if (ref.intervals.length > 1 && e.intervals.length > 1) {
      const k = ksTwoSample(ref.intervals, e.intervals);
      ks[level] = { D: k.statistic, p: k.pValue, n: e.intervals.length };
    }
  }
  const perLevel = {} as Record<V4Level, V4LevelData>;
  for (const l of LEVELS) perLevel[l] = { binSize: recs[l].binSize, activity: recs[l].activity.E.subarray(0, recs[l].bins), intervals: ev[l].intervals };
  const figures = v4Figures(perLevel, c.tag);
  const n0 = ref.intervals.length;
  const cv = regimeCv(recs['micro-gpu']);
  const cvText = (x: IsiStatistics) => `${x.cv.toFixed(2)} ± ${x.se.toFixed(2)} (${x.intervals} intervals)`;
  const notes = [
    `ISI CV of ${SPIKE_NEURONS} E neurons (micro-gpu): ${cvText(cv.all)} over all intervals; ${cvText(cv.between)} between population spikes.`,
    '',
    `Inter-event intervals against micro-gpu's ${n0} (mean ${sampleMean(ref.intervals).toFixed(3)} s), two-sample Kolmogorov–Smirnov: ` +
      Object.entries(ks)
        .map(([level, k]) => `${V(level as V4Level).label} D = ${k.D.toFixed(3)}, p = ${k.p.toPrecision(2)} (${k.n} intervals)`)
        .join('; ') +
      '.',
  ];
  return { set, metrics, figures, wallSeconds, notes, data: { cv: { all: cv.all.cv, between: cv.between.cv } } };
}

/** What V4's figures show of one level. */
export interface V4LevelData {
  binSize: number;
  /** A_N (Hz) of E in trial 0. */
  activity: ArrayLike<number>;
  /** The intervals between population spikes (s), of every trial. */
  intervals: number[];
}

/** V4's (or V4b's, with tag 'V4b') figures by file name: A_N(t) of trial 0, and the distribution of the inter-event intervals. */
export function v4Figures(levels: Record<V4Level, V4LevelData>, tag = 'V4'): Record<string, LineFigure> {
  const file = tag.toLowerCase();
  const figures: Record<string, LineFigure> = {};
  const show = (['micro-gpu', 'age', 'mf2'] as V4Level[]).map((level) => leadingSeries(V(level), levels[level].activity, levels[level].binSize, 3));
  figures[`${file}-activity.svg`] = { title: `${tag}: A_N(t) of E, the first 3 s of trial 0`, xLabel: 'time (s)', yLabel: 'A_N (Hz)', series: show };
  const hist = (['micro-gpu', 'micro-cpu', 'age', 'mf2'] as V4Level[]).map((level) => {
    const iv = levels[level].intervals;
    const edges = Array.from({ length: 31 }, (_, i) => i * 0.025);
    const counts = edges.slice(0, -1).map((lo, i) => iv.filter((v) => v >= lo && v < edges[i + 1]).length);
    const perCount = 1 / Math.max(1, iv.length) / 0.025;
    const density = counts.map((c) => c * perCount);
    return {
      label: `${V(level).label} (${iv.length})`,
      x: edges.slice(0, -1).map((lo) => lo + 0.0125),
      y: density,
      // A bin's count is near-Poisson: its standard error is √count.
      spread: plusMinus(
        density,
        counts.map((c) => Math.sqrt(c) * perCount),
        'band',
      ),
      color: V(level).color,
      dashed: V(level).dashed,
    };
  });
  figures[`${file}-intervals.svg`] = {
    title: `${tag}: distribution of the intervals between population spikes`,
    uncertainty: 'bands: ± s.e. of each bin (√count)',
    xLabel: 'interval (s)',
    yLabel: 'density (1/s)',
    series: hist,
  };
  return figures;
}
