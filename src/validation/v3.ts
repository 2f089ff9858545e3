/**
 * Validation V3 (docs/validation/plan.md): Up and Down states of one excitatory population with
 * depressing recurrent synapses (`scenarios/v3-up-down.json`), bistable in the N → ∞ limit;
 * finite-size noise makes the network switch, and the switching slows steeply as N grows (J·N
 * fixed). Per N, compared with micro-gpu: the mean dwell times in Up and in Down (target 25 %)
 * and the activity in each state (target 10 %); the dwell-time distributions by two-sample
 * Kolmogorov–Smirnov tests. The targets are docs/validation/plan.md's for MF2; the age-resolved STP
 * mean-field, MF1 and micro-cpu are shown beside it.
 *
 * V3b runs the same experiment on a population whose neurons fire irregularly
 * (`scenarios/v3b-up-down-irregular.json`), the regime MF2 is derived for, and reports micro's ISI
 * CV in each state: a V3Case holds what differs.
 */
import type { GpuContext } from '../gpu/device';
import type { VariantId } from '../engines';
import type { Progress, Recording } from '../model/recording';
import type { Scenario, ScenarioInput } from '../model/scenario';
import { parseScenario } from '../model/validate';
import { ksTwoSample } from '../analysis/kolmogorovSmirnov';
import { boxcarSmooth, segmentUpDown, stateActivity, type UpDownOptions, type UpDownSegmentation, withinState } from '../analysis/upDown';
import { interspikeIntervalCv, type IsiStatistics } from '../analysis/interspikeIntervals';
import { type LineFigure, plusMinus } from '../analysis/figures/lineFigure';
import { levelColumns, levelVariants, runLevels, type RunSizes } from './runLevels';
import { relativeDifference, relativeSampleDifference, sampleMean, standardError } from './compare';
import { metric, type Metric, type ReportSpec, type SetResult } from './report';
import preset from '../../scenarios/v3-up-down.json';
import irregularPreset from '../../scenarios/v3b-up-down-irregular.json';

/** The report's levels (metric.level) and the registry variant each runs, the reference first. */
const VARIANT_OF = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', mf2: 'meso-mf2', age: 'meso-age', mf1: 'meso-mf1' } as const satisfies Record<
  string,
  VariantId
>;
export type V3Level = keyof typeof VARIANT_OF;
const COMPARED: readonly V3Level[] = ['micro-cpu', 'mf2', 'age', 'mf1'];
const LEVELS: readonly V3Level[] = ['micro-gpu', ...COMPARED];
/** The variants V3 runs. */
export const V3_VARIANTS: readonly VariantId[] = LEVELS.map((l) => VARIANT_OF[l]);
const V = levelVariants<V3Level>(VARIANT_OF);

export interface V3Set {
  name: string;
  N: number;
  /** Seconds per trial relative to sizes.duration: the dwell times grow with N. */
  durationScale: number;
  /**
   * A contrast set: the case's network with another reset (mV) and J·N (mV), named `tag` in figure
   * file names, and left out of the figure against N.
   */
  variant?: { uReset: number; jn: number; tag: string };
}

/** J·N of a preset, kept fixed as N changes. */
const jnOf = (p: ScenarioInput) => (p.projections?.[0].weight as number) * (p.populations.E as { N: number }).N;
const JN = jnOf(preset as unknown as ScenarioInput);

export const V3_SETS: readonly V3Set[] = [
  { name: 'N = 200', N: 200, durationScale: 1 },
  { name: 'N = 300', N: 300, durationScale: 1.25 },
  { name: 'N = 400', N: 400, durationScale: 2 },
  { name: 'N = 500', N: 500, durationScale: 3 },
];
export const V3_QUICK_SETS = ['N = 300'];

export type V3Sizes = RunSizes;

/** duration: seconds per trial at N = 200 (scaled by the set). */
export const V3_SIZES: Record<'quick' | 'full', V3Sizes> = {
  quick: { gpuTrials: 4, cpuTrials: 2, mesoTrials: 4, duration: 30 },
  full: { gpuTrials: 32, cpuTrials: 8, mesoTrials: 32, duration: 30 },
};

export const V3_TARGETS = { dwell: 0.25, activity: 0.1 };
/** Seconds discarded at the start of each trial (the initial transient). */
export const V3_TRANSIENT = 1;
/**
 * Segmentation: 10-ms bins, a 50-ms boxcar, Up above 12 Hz and Down below 6 Hz. The states sit
 * near 1.7 and 29 Hz and the unstable fixed point of the N → ∞ limit near 4–5 Hz.
 */
export const V3_SEGMENTATION = { binSeconds: 0.01, smoothBins: 5, high: 12, low: 6 };

/**
 * V3b's sets: V3's N, and at N = 400 the contrast of a reset at the threshold (15 mV, with J·N
 * 330 mV for the same fixed points), where a neuron's hazard right after a spike is about three
 * times the Down state's and its spikes come in bursts (ISI CV ≈ 1.1).
 */
const V3B_CONTRAST: V3Set = { name: 'N = 400, reset at the threshold', N: 400, durationScale: 2, variant: { uReset: 15, jn: 330, tag: 'reset15' } };
export const V3B_SETS: readonly V3Set[] = [...V3_SETS, V3B_CONTRAST];
/**
 * V3b's segmentation: the fixed points of the N → ∞ limit are near 3.2–3.4 (stable), 11 and
 * 26–35 Hz (both unstable; `mesostp analyze scenarios/v3b-up-down-irregular.json`, for both of its
 * resets); the thresholds lie near halfway between neighbouring fixed points for both. The Up
 * periods are bursts of about 0.1 s at 85–100 Hz on average.
 */
export const V3B_SEGMENTATION = { binSeconds: 0.01, smoothBins: 5, high: 20, low: 7 };
/** micro-gpu records the spikes of this many neurons in V3b, for the ISI CV in each state. */
const SPIKE_NEURONS = 100;

export const V3_REPORT: ReportSpec = {
  experiment: 'v3',
  title: 'V3: Up and Down states, micro against meso',
  columns: levelColumns(COMPARED, VARIANT_OF),
  judged: 'mf2',
  summaryFigures: (results) => v3ScalingFigures(results),
  intro: [
    `One population of escape-noise LIF neurons (τm = 20 ms, μ = 9.8 mV) with all-to-all depressing recurrent excitation (J·N = ${JN.toFixed(0)} mV, U = 0.2, τD = 0.2 s),`,
    'bistable in the N → ∞ limit (`mesostp analyze scenarios/v3-up-down.json`): a Down state near 1.5 Hz and an Up state near 26–28 Hz.',
    'At finite N the network switches between them; the switching slows steeply as N grows (J·N fixed).',
    `Segmentation: A_N in ${1000 * V3_SEGMENTATION.binSeconds}-ms bins, smoothed over ${V3_SEGMENTATION.smoothBins * V3_SEGMENTATION.binSeconds * 1000} ms; Up above ${V3_SEGMENTATION.high} Hz, Down below ${V3_SEGMENTATION.low} Hz (hysteresis).`,
    `A dwell time is a complete period (the first and last period of a trial are cut and not counted); the first ${V3_TRANSIENT} s are discarded.`,
    '',
    '**Metrics.** Relative difference from micro-gpu of the mean dwell time in each state (standard error from the dwell-time samples)',
    'and of the time-averaged activity in each state (periods as samples); targets 25 % and 10 % (docs/validation/plan.md, for MF2).',
    '',
    '**Levels.** The targets are judged for MF2, as docs/validation/plan.md states them. MF2 (Schmutz et al. 2020) takes the resources of the',
    'neurons that fire to be the population mean x̄ and their spread to be that of Poisson spike trains. In the Up state the neurons',
    'fire nearly regularly (ISI ≈ 35 ms, refractoriness and reset), so the neurons that fire are the ones that have recovered longest:',
    'they release more than U·x̄, and their resources differ far less from neuron to neuron than Poisson firing would make them.',
    'The age-resolved mode (docs/meso.md) tracks x and E[x²] per age bin and has neither assumption; it is shown beside MF2 to',
    'separate what the Poisson assumption costs from what the mesoscopic population equations themselves do.',
  ],
};

export const V3B_REPORT: ReportSpec = {
  experiment: 'v3b',
  title: "V3b: Up/Down switching with irregularly firing neurons, the regime of MF2's derivation",
  columns: levelColumns(COMPARED, VARIANT_OF),
  judged: 'mf2',
  summaryFigures: (results) => v3ScalingFigures(results, 'V3b'),
  intro: [
    `V3's population with neurons that fire irregularly (\`scenarios/v3b-up-down-irregular.json\`): no refractoriness, a soft threshold`,
    "(Δu = 5 mV) and the reset at 9.75 mV, where the hazard 10 Hz·exp((u − 15 mV)/Δu) is the Down state's rate (3.5 Hz): in Down, a",
    'neuron that has just fired is as likely to fire as any other, so its spike train is close to a Poisson process, the assumption',
    `MF1 and MF2 (Schmutz, Gerstner & Schwalger 2020) are derived for. Drive μ = 5 mV, J·N = ${jnOf(irregularPreset as unknown as ScenarioInput).toFixed(0)} mV, U = 0.2, τD = 0.2 s. The N → ∞ limit`,
    "has V3's three fixed points (`mesostp analyze`): a stable Down state near 3.2 Hz, and unstable ones near 11 and 26 Hz. V3's targets",
    'are judged for MF2; the age-resolved mean-field and MF1 are shown beside it, and V3 (regular firing in the Up state) is the contrast.',
    '',
    'The upper fixed point is unstable, as it must be for Poisson-like neurons at moderate rates (docs/theory.md §7; the search in',
    '[search.md](search.md) found no stable upper state below 74 Hz, and the one stable upper state it ran in micro is held by',
    'regular firing, ISI CV 0.32): the loop gain of an exponential hazard grows with the rate. So finite-size noise lifts the network',
    'out of Down into a burst that depression ends within about 0.1 s: the Up periods are these bursts, and the noise-driven escape from',
    'Down, which slows steeply as N grows (J·N fixed), is the switching that V3 measures.',
    '',
    `**Contrast set** (${V3B_CONTRAST.name}): the reset at ${V3B_CONTRAST.variant?.uReset} mV (J·N = ${V3B_CONTRAST.variant?.jn} mV, for the same fixed points) puts a neuron`,
    "that has just fired at a hazard of 10 Hz, about three times the Down state's rate, so that its spikes come in bursts: the ISI CV",
    'is still near 1 (≈ 1.1), but the neurons that fire are those that fired last, with the least resources.',
    '',
    `Segmentation: A_N in ${1000 * V3B_SEGMENTATION.binSeconds}-ms bins, smoothed over ${V3B_SEGMENTATION.smoothBins * V3B_SEGMENTATION.binSeconds * 1000} ms; Up above ${V3B_SEGMENTATION.high} Hz, Down below ${V3B_SEGMENTATION.low} Hz (hysteresis),`,
    'near halfway between neighbouring fixed points for both resets.',
    `A dwell time is a complete period (the first and last period of a trial are cut and not counted); the first ${V3_TRANSIENT} s are discarded.`,
    '',
    "**Metrics.** V3's: the relative difference from micro-gpu of the mean dwell time in each state and of the time-averaged activity",
    'in each state; targets 25 % and 10 % (docs/validation/plan.md, for MF2).',
    '',
    `**Regime.** The ISI CV of ${SPIKE_NEURONS} neurons of micro-gpu in each state (intervals with both spikes in one period of the state, pooled over`,
    'the neurons of a trial, mean ± s.e. over trials) is given for every set.',
  ],
};

/** One Up/Down experiment: its report, network, sets and segmentation. */
export interface V3Case {
  report: ReportSpec;
  /** 'V3' or 'V3b': figure titles, and (lower-cased) figure file names. */
  tag: string;
  preset: ScenarioInput;
  sets: readonly V3Set[];
  quickSets: string[];
  segmentation: Omit<UpDownOptions, 'skipBins'>;
  /** Offset (Hz) between the levels in the activity figure. */
  activityOffset: number;
  /** Record micro-gpu's spikes and report the ISI CV in each state. */
  isiCv: boolean;
}

export const V3_CASE: V3Case = {
  report: V3_REPORT,
  tag: 'V3',
  preset: preset as unknown as ScenarioInput,
  sets: V3_SETS,
  quickSets: V3_QUICK_SETS,
  segmentation: V3_SEGMENTATION,
  activityOffset: 60,
  isiCv: false,
};

export const V3B_CASE: V3Case = {
  report: V3B_REPORT,
  tag: 'V3b',
  preset: irregularPreset as unknown as ScenarioInput,
  sets: V3B_SETS,
  quickSets: V3_QUICK_SETS,
  segmentation: V3B_SEGMENTATION,
  activityOffset: 250,
  isiCv: true,
};

export interface V3Options {
  gpu: GpuContext;
  sizes: V3Sizes;
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

/** A case's preset at N neurons with J·N fixed; `spikes` records the first SPIKE_NEURONS neurons' spikes. */
export function v3Scenario(
  N: number,
  trials: number,
  duration: number,
  seedOffset: number,
  c: V3Case = V3_CASE,
  spikes = false,
  variant?: V3Set['variant'],
): Scenario {
  // biome-ignore lint/suspicious/noExplicitAny: the preset's raw JSON, edited before it is validated
  const raw = structuredClone(c.preset) as Record<string, any>;
  raw.populations.E.N = N;
  if (variant) raw.populations.E.uReset = variant.uReset;
  raw.projections[0].weight = (variant?.jn ?? jnOf(c.preset)) / N;
  raw.run = { ...raw.run, trials, duration, seed: raw.run.seed + seedOffset };
  raw.record = { activity: true, binSize: c.segmentation.binSeconds, ...(spikes ? { spikes: [{ population: 'E', neurons: SPIKE_NEURONS }] } : {}) };
  return parseScenario(raw);
}

/** Trials and seconds of each level; each level and each N has its own seed. */
function levelScenario(c: V3Case, level: V3Level, set: V3Set, sizes: V3Sizes): Scenario {
  const duration = sizes.duration * set.durationScale;
  // A contrast set's seeds are apart from those of the set of its N.
  const base = 10 * set.N + (set.variant ? 5000 : 0);
  const seed = base + COMPARED.indexOf(level) + 1;
  switch (level) {
    case 'micro-gpu':
      return v3Scenario(set.N, sizes.gpuTrials, duration, base, c, c.isiCv, set.variant);
    case 'micro-cpu':
      return v3Scenario(set.N, sizes.cpuTrials, duration, seed, c, false, set.variant);
    default:
      return v3Scenario(set.N, sizes.mesoTrials, duration, seed, c, false, set.variant);
  }
}

export function segmentV3(r: Recording, c: V3Case = V3_CASE): UpDownSegmentation {
  return segmentUpDown(r.activity.E, r.trials, r.bins, { ...c.segmentation, skipBins: Math.round(V3_TRANSIENT / r.binSize) });
}

/** The ISI CV of a recording's neurons within the Up and within the Down periods, after the transient. */
export function stateIsiCv(r: Recording, seg: UpDownSegmentation): { up: IsiStatistics; down: IsiStatistics } {
  return {
    up: interspikeIntervalCv(r.spikes.E, r.trials, V3_TRANSIENT, withinState(seg, r.binSize, true)),
    down: interspikeIntervalCv(r.spikes.E, r.trials, V3_TRANSIENT, withinState(seg, r.binSize, false)),
  };
}

export async function runV3Set(set: V3Set, o: V3Options, c: V3Case = V3_CASE): Promise<SetResult> {
  const { recordings: recs, wallSeconds } = await runLevels(c.tag, set.name, LEVELS, VARIANT_OF, (level) => levelScenario(c, level, set, o.sizes), o);
  const segs = Object.fromEntries((Object.keys(recs) as V3Level[]).map((l) => [l, segmentV3(recs[l], c)])) as Record<V3Level, UpDownSegmentation>;
  const ref = segs['micro-gpu'];
  const metrics: Metric[] = [];
  const population = 'E';
  const ks: string[] = [];
  for (const level of COMPARED) {
    const s = segs[level];
    for (const [quantity, a, b] of [
      ['Up dwell', ref.upDwell, s.upDwell],
      ['Down dwell', ref.downDwell, s.downDwell],
    ] as const) {
      const r = relativeSampleDifference(a, b);
      metrics.push(metric({ set: set.name, population, quantity, level, value: r.value, se: r.se, floor: r.se, target: V3_TARGETS.dwell }));
    }
    for (const up of [true, false]) {
      const a = stateActivity(ref, up);
      const b = stateActivity(s, up);
      const r = relativeDifference(a.mean, a.se, b.mean, b.se);
      metrics.push(
        metric({
          set: set.name,
          population,
          quantity: `${up ? 'Up' : 'Down'} activity`,
          level,
          value: r.value,
          se: r.se,
          floor: r.se,
          target: V3_TARGETS.activity,
        }),
      );
    }
    const test = (x: number[], y: number[]) => (x.length > 1 && y.length > 1 ? ksTwoSample(x, y) : null);
    const ku = test(ref.upDwell, s.upDwell);
    const kd = test(ref.downDwell, s.downDwell);
    const fmt = (k: ReturnType<typeof test>) => (k ? `D = ${k.statistic.toFixed(3)}, p = ${k.pValue.toPrecision(2)}` : 'too few periods');
    ks.push(`${V(level).label}: Up ${fmt(ku)}; Down ${fmt(kd)}`);
  }
  const levels = LEVELS;
  const count = (l: V3Level) => `${V(l).label} ${segs[l].upDwell.length} / ${segs[l].downDwell.length}`;
  const dwell = (l: V3Level) =>
    `${V(l).label} ${sampleMean(segs[l].upDwell).toFixed(2)} ± ${standardError(segs[l].upDwell).toFixed(2)} s / ${sampleMean(segs[l].downDwell).toFixed(2)} ± ${standardError(segs[l].downDwell).toFixed(2)} s`;
  const act = (l: V3Level) => `${V(l).label} ${stateActivity(segs[l], true).mean.toFixed(2)} / ${stateActivity(segs[l], false).mean.toFixed(2)} Hz`;
  const simulated = (l: V3Level) => recs[l].trials * recs[l].bins * recs[l].binSize;
  const cv = c.isiCv ? stateIsiCv(recs['micro-gpu'], ref) : null;
  const cvText = (x: IsiStatistics) => `${x.cv.toFixed(2)} ± ${x.se.toFixed(2)} (${x.intervals} intervals)`;
  const notes = [
    ...(cv ? [`ISI CV of ${SPIKE_NEURONS} neurons (micro-gpu): ${cvText(cv.up)} in Up; ${cvText(cv.down)} in Down.`, ''] : []),
    `Simulated time per level: ${levels.map((l) => `${V(l).label} ${recs[l].trials} × ${(recs[l].bins * recs[l].binSize).toFixed(0)} s`).join(', ')}.`,
    '',
    `Complete Up / Down periods: ${levels.map(count).join('; ')}.`,
    '',
    `Mean dwell time Up / Down (± s.e.): ${levels.map(dwell).join('; ')}.`,
    '',
    `Activity in Up / Down: ${levels.map(act).join('; ')}.`,
    '',
    `Switches per second of simulated time (Up→Down): ${levels.map((l) => `${V(l).label} ${(segs[l].periods.flat().filter((p) => p.up && p.end < recs[l].bins).length / simulated(l)).toFixed(3)}`).join(', ')}.`,
    '',
    `Dwell-time distributions against micro-gpu, two-sample Kolmogorov–Smirnov: ${ks.join('; ')}.`,
  ];
  const perLevel = {} as Record<V3Level, V3LevelData>;
  for (const l of LEVELS)
    perLevel[l] = { binSize: recs[l].binSize, activity: recs[l].activity.E.subarray(0, recs[l].bins), upDwell: segs[l].upDwell, downDwell: segs[l].downDwell };
  const figures = v3SetFigures(set.N, perLevel, c, set.variant?.tag);
  const data = Object.fromEntries(
    levels.map((l) => [
      l,
      { up: sampleMean(segs[l].upDwell), upSe: standardError(segs[l].upDwell), down: sampleMean(segs[l].downDwell), downSe: standardError(segs[l].downDwell) },
    ]),
  );
  return {
    set: set.name,
    metrics,
    figures,
    wallSeconds,
    notes,
    data: { N: set.N, dwell: data, ...(cv ? { cv: { up: cv.up.cv, down: cv.down.cv } } : {}), ...(set.variant ? { contrast: true } : {}) },
  };
}

/** What V3's figures show of one level at one N. */
export interface V3LevelData {
  binSize: number;
  /** A_N (Hz) of trial 0, unsmoothed. */
  activity: ArrayLike<number>;
  /** The complete Up and Down periods (s). */
  upDwell: number[];
  downDwell: number[];
}

/**
 * The figures of one set, by file name: A_N(t) of trial 0, and the Up and Down dwell-time survival
 * functions; a contrast set's `variant` tag joins N in the file names and titles.
 */
export function v3SetFigures(N: number, levels: Record<V3Level, V3LevelData>, c: V3Case = V3_CASE, variant?: string): Record<string, LineFigure> {
  const file = `${c.tag.toLowerCase()}-n${N}${variant ? `-${variant}` : ''}`;
  const at = `N = ${N}${variant ? ` (${variant})` : ''}`;
  const offset = c.activityOffset;
  const figures: Record<string, LineFigure> = {};
  // A_N(t) of trial 0, smoothed as the segmentation sees it; the levels are offset for legibility.
  const shown = (['micro-gpu', 'mf2', 'age'] as V3Level[]).map((level, i) => {
    const r = levels[level];
    const n = Math.min(r.activity.length, Math.round(40 / r.binSize));
    const sm = boxcarSmooth(
      Array.from({ length: n }, (_, k) => r.activity[k]),
      c.segmentation.smoothBins,
    );
    return {
      label: `${V(level).label} (+${offset * (2 - i)} Hz)`,
      x: Float64Array.from({ length: n }, (_, k) => (k + 0.5) * r.binSize),
      y: Array.from(sm, (v) => v + offset * (2 - i)),
      color: V(level).color,
      dashed: V(level).dashed,
    };
  });
  figures[`${file}-activity.svg`] = {
    title: `${c.tag}, ${at}: smoothed A_N(t), trial 0 (levels offset by ${offset} Hz)`,
    xLabel: 'time (s)',
    yLabel: 'A_N (Hz)',
    series: shown,
  };
  const survival = (up: boolean) =>
    (['micro-gpu', 'micro-cpu', 'mf2', 'age'] as V3Level[]).map((level) => {
      const d = (up ? levels[level].upDwell : levels[level].downDwell).slice().sort((a, b) => a - b);
      const y = d.map((_, i) => 1 - i / d.length);
      // The binomial standard error of an empirical survival fraction S from n periods: √(S(1 − S)/n).
      const se = y.map((s) => Math.sqrt((s * (1 - s)) / d.length));
      return { label: `${V(level).label} (${d.length})`, x: d, y, spread: plusMinus(y, se, 'band'), color: V(level).color, dashed: V(level).dashed };
    });
  figures[`${file}-dwell-up.svg`] = {
    title: `${c.tag}, ${at}: Up dwell times, fraction of periods longer than t`,
    uncertainty: 'bands: ± binomial s.e.',
    xLabel: 't (s)',
    yLabel: 'P(dwell > t)',
    logY: true,
    series: survival(true),
  };
  figures[`${file}-dwell-down.svg`] = {
    title: `${c.tag}, ${at}: Down dwell times, fraction of periods longer than t`,
    uncertainty: 'bands: ± binomial s.e.',
    xLabel: 't (s)',
    yLabel: 'P(dwell > t)',
    logY: true,
    series: survival(false),
  };
  return figures;
}

/** Mean dwell times against N for every level (the switching slows steeply as N grows). */
export function v3ScalingFigures(results: SetResult[], tag = 'V3'): Record<string, LineFigure> {
  const points = results
    .map((r) => r.data as { N: number; dwell: Record<string, { up: number; upSe: number; down: number; downSe: number }>; contrast?: boolean } | undefined)
    .filter((d): d is NonNullable<typeof d> => d !== undefined && !d.contrast);
  if (points.length < 2) return {};
  const lines = (['micro-gpu', 'mf2', 'age', 'mf1'] as V3Level[]).flatMap((level) =>
    (['up', 'down'] as const).map((state) => {
      const y = points.map((p) => p.dwell[level]?.[state] ?? NaN);
      const se = points.map((p) => p.dwell[level]?.[state === 'up' ? 'upSe' : 'downSe'] ?? NaN);
      return {
        label: `${V(level).label} ${state === 'up' ? 'Up' : 'Down'}`,
        x: points.map((p) => p.N),
        y,
        spread: plusMinus(y, se, 'bars'),
        color: V(level).color,
        dashed: state === 'down',
        marker: state === 'up' ? ('filled' as const) : ('open' as const),
        joined: true,
      };
    }),
  );
  return {
    [`${tag.toLowerCase()}-dwell-vs-n.svg`]: {
      title: `${tag}: mean dwell time against N (J·N fixed)`,
      uncertainty: 'bars: ± s.e. of the mean dwell time; filled: Up, open: Down',
      xLabel: 'N',
      yLabel: 'mean dwell time (s)',
      logY: true,
      series: lines,
    },
  };
}
