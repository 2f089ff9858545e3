/**
 * Validation V2 (docs/validation/plan.md): feedforward STP, the first test of Schmutz, Gerstner &
 * Schwalger (2020). N Poisson neurons step 5 → 40 → 5 Hz and drive, through STP and an
 * exponential filter, postsynaptic neurons with in-degree C = N and C = 40. The input into one
 * postsynaptic neuron is compared across trials: micro on the GPU (the reference, most trials),
 * micro on the CPU (a second witness, fewer trials), and the mesoscopic equations with the MF2
 * and MF1 mean-fields. Metrics: relative RMS distance of the trial mean μ(t) and the trial s.d.
 * σ(t) over the run, after removing their sampling-noise floor (src/analysis/trialStatistics.ts),
 * and the stationary PSD of the fluctuations in the 40 Hz window, per frequency band.
 */
import type { GpuContext } from '../gpu/device';
import type { VariantId } from '../engines';
import type { Progress, Recording } from '../model/recording';
import type { Scenario, ScenarioInput } from '../model/scenario';
import { parseScenario } from '../model/validate';
import { bandPerTrial, type Psd, psdStandardError, welchPsd } from '../analysis/psd';
import { compareCurves, trialCurves, type Series } from '../analysis/trialStatistics';
import { type LineFigure, plusMinus } from '../analysis/figures/lineFigure';
import { levelColumns, levelVariants, runLevels } from './runLevels';
import { metric, type Metric, type ReportSpec, type SetResult } from './report';
import depressionPreset from '../../scenarios/v2-feedforward-depression.json';
import facilitationPreset from '../../scenarios/v2-feedforward-facilitation.json';

/** The report's levels (metric.level) and the registry variant each runs, the reference first. */
const VARIANT_OF = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', mf2: 'meso-mf2', mf1: 'meso-mf1' } as const satisfies Record<string, VariantId>;
export type V2Level = keyof typeof VARIANT_OF;
export const V2_COMPARED: readonly V2Level[] = ['micro-cpu', 'mf2', 'mf1'];
const LEVELS: readonly V2Level[] = ['micro-gpu', ...V2_COMPARED];
/** The variants V2 runs. */
export const V2_VARIANTS: readonly VariantId[] = LEVELS.map((l) => VARIANT_OF[l]);
const V = levelVariants<V2Level>(VARIANT_OF);

export interface V2Set {
  name: 'depression' | 'facilitation';
  preset: ScenarioInput;
  /** docs/validation/plan.md targets: relative RMS of μ(t), of σ(t), and PSD per band. */
  targets: { mean: number; sd: number; psd: number };
}

export const V2_SETS: readonly V2Set[] = [
  { name: 'depression', preset: depressionPreset as unknown as ScenarioInput, targets: { mean: 0.02, sd: 0.03, psd: 0.1 } },
  { name: 'facilitation', preset: facilitationPreset as unknown as ScenarioInput, targets: { mean: 0.02, sd: 0.1, psd: 0.1 } },
];

export type V2Sizes = {
  gpuTrials: number;
  cpuTrials: number;
  mesoTrials: number;
};

export const V2_SIZES: Record<'quick' | 'full', V2Sizes> = {
  quick: { gpuTrials: 1024, cpuTrials: 128, mesoTrials: 512 },
  full: { gpuTrials: 8192, cpuTrials: 512, mesoTrials: 4096 },
};

/** The 40 Hz window whose fluctuations are stationary (0.2 s after the step), and the PSD bands. */
export const V2_PSD_WINDOW: [number, number] = [0.7, 1.0];
const V2_PSD_WINDOW_TEXT = '0.7–1.0 s';
export const V2_PSD_SEGMENT = 128;
export const V2_BANDS: readonly [number, number][] = [
  [7, 31],
  [31, 94],
  [94, 250],
];

export type V2SetResult = SetResult;

/** How the report presents V2. */
export const V2_REPORT: ReportSpec = {
  experiment: 'v2',
  title: 'V2: feedforward short-term plasticity, micro against meso',
  columns: levelColumns(V2_COMPARED, VARIANT_OF),
  judged: 'mf2',
  populationLabel: (p) => (p === 'post_all' ? 'C = N' : 'C = 40'),
  intro: [
    'N = 100 Poisson neurons step 5 → 40 → 5 Hz (0.5 s each) and drive postsynaptic neurons through',
    'Tsodyks–Markram synapses and an exponential filter (τ = 10 ms), with in-degree C = N and C = 40',
    '(`scenarios/v2-feedforward-*.json`). The quantity compared is the input into one postsynaptic',
    'neuron across trials; micro-gpu (the most trials) is the reference, micro-cpu a second witness.',
    '',
    '**Metrics.** Relative RMS distance from micro-gpu of the trial mean μ(t) and of the trial s.d.',
    'σ(t) over the whole run (1 ms bins), with the sampling-noise floor of both curves removed',
    '(bootstrap over trials, `src/analysis/trialStatistics.ts`), ± its standard error; and the',
    `relative difference of the stationary PSD of the fluctuations in the 40 Hz window (${V2_PSD_WINDOW_TEXT}, Welch,`,
    'Hann, 128 ms segments) averaged over each band, ± its standard error. Targets (docs/validation/plan.md)',
    'apply to MF2; MF1 and the CPU witness are reported on the same metrics.',
  ],
};

export interface V2Options {
  gpu: GpuContext;
  sizes: V2Sizes;
  /** A stage ("depression: micro-gpu") and its progress. */
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

const POPULATIONS = ['post_all', 'post_c40'] as const;

function withTrials(preset: ScenarioInput, trials: number, seedOffset: number): Scenario {
  // biome-ignore lint/suspicious/noExplicitAny: the preset's raw JSON, edited before it is validated
  const raw = structuredClone(preset) as Record<string, any>;
  raw.run = { ...raw.run, trials, seed: raw.run.seed + seedOffset };
  raw.record = { ...raw.record, stp: false, spikes: [], inputs: POPULATIONS.map((population) => ({ population, neurons: 1 })) };
  return parseScenario(raw);
}

/** The input into neuron 0 of a population, as a Series. */
function inputSeries(r: Recording, pop: string): Series {
  const i = r.inputs[pop];
  const m = i.neurons.length;
  return { a: i.sampled, trials: r.trials, stride: m * r.bins, offset: 0, bins: r.bins };
}

/** Trials of each level, and independent seeds: the comparison is between independent samples. */
function levelScenario(level: V2Level, set: V2Set, sizes: V2Sizes): Scenario {
  switch (level) {
    case 'micro-gpu':
      return withTrials(set.preset, sizes.gpuTrials, 0);
    case 'micro-cpu':
      return withTrials(set.preset, sizes.cpuTrials, 1);
    case 'mf2':
    case 'mf1':
      return withTrials(set.preset, sizes.mesoTrials, level === 'mf2' ? 2 : 3);
  }
}

export async function runV2Set(set: V2Set, o: V2Options): Promise<V2SetResult> {
  const { recordings, wallSeconds } = await runLevels('V2', set.name, LEVELS, VARIANT_OF, (level) => levelScenario(level, set, o.sizes), o);
  const ref = recordings['micro-gpu'];
  const binSize = ref.binSize;
  const bins = ref.bins;
  const metrics: Metric[] = [];
  const figures: Record<string, LineFigure> = {};
  const [w0, w1] = V2_PSD_WINDOW.map((t) => Math.round(t / binSize));
  for (const pop of POPULATIONS) {
    const refSeries = inputSeries(ref, pop);
    const refPsd = welchPsd(refSeries.a, refSeries.trials, refSeries.stride, 0, w0, w1, V2_PSD_SEGMENT, binSize);
    const psds = { 'micro-gpu': refPsd } as Record<V2Level, Psd>;
    for (const level of V2_COMPARED) {
      const s = inputSeries(recordings[level], pop);
      const c = compareCurves(refSeries, s, 0, bins, 40, `${set.name}:${pop}:${level}`);
      for (const q of ['mean', 'sd'] as const) {
        const target = set.targets[q];
        const d = c[q];
        metrics.push(metric({ set: set.name, population: pop, quantity: q, level, value: d.corrected, se: d.se, floor: d.floor, target }));
      }
      const psd = welchPsd(s.a, s.trials, s.stride, 0, w0, w1, V2_PSD_SEGMENT, binSize);
      psds[level] = psd;
      for (const [lo, hi] of V2_BANDS) {
        const a = bandPerTrial(refPsd, lo, hi);
        const b = bandPerTrial(psd, lo, hi);
        const ma = mean(a);
        const mb = mean(b);
        const rel = mb / ma - 1;
        const se = Math.abs(mb / ma) * Math.hypot(sem(a) / ma, sem(b) / mb);
        const target = set.targets.psd;
        metrics.push(metric({ set: set.name, population: pop, quantity: `psd ${lo}–${hi} Hz`, level, value: Math.abs(rel), se, floor: se, target }));
      }
    }
    const levels = LEVELS.map((level) => {
      const r = recordings[level];
      return { level, trials: r.trials, binSize: r.binSize, ...trialCurves(inputSeries(r, pop)), psd: psds[level] };
    });
    Object.assign(figures, v2PopulationFigures(set.name, pop, levels));
  }
  return { set: set.name, metrics, figures, wallSeconds };
}

function mean(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

function sem(a: number[]): number {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1) / a.length);
}

/** What V2's figures show of one level for one population: the trial curves of the input and its PSD. */
export interface V2LevelCurves {
  level: V2Level;
  trials: number;
  binSize: number;
  /** Trial mean and trial s.d. of the input per bin (mV). */
  mean: ArrayLike<number>;
  sd: ArrayLike<number>;
  /** PSD of the input fluctuations in the 40 Hz window (V2_PSD_WINDOW). */
  psd: Psd;
}

/** The figures of one set and population: μ(t), σ(t) and the PSD of every level, by file name. */
export function v2PopulationFigures(setName: V2Set['name'], pop: string, levels: readonly V2LevelCurves[]): Record<string, LineFigure> {
  return {
    [`v2-${setName}-${pop}-mean.svg`]: curvesFigure(setName, pop, levels, 'mean'),
    [`v2-${setName}-${pop}-sd.svg`]: curvesFigure(setName, pop, levels, 'sd'),
    [`v2-${setName}-${pop}-psd.svg`]: psdFigure(setName, pop, levels),
  };
}

function curvesFigure(setName: V2Set['name'], pop: string, levels: readonly V2LevelCurves[], q: 'mean' | 'sd'): LineFigure {
  const lines = levels.map((c) => {
    const { level, trials } = c;
    // The standard error of the trial mean is σ/√n; that of the trial s.d., σ/√(2(n − 1)) for near-Gaussian input.
    const se = Array.from(c.sd, (sd) => (q === 'mean' ? sd / Math.sqrt(trials) : sd / Math.sqrt(2 * (trials - 1))));
    return {
      label: `${V(level).label} (${trials})`,
      x: Float64Array.from({ length: c[q].length }, (_, k) => (k + 0.5) * c.binSize),
      y: c[q],
      spread: trials > 1 ? plusMinus(c[q], se, 'band') : undefined,
      color: V(level).color,
      dashed: V(level).dashed,
    };
  });
  const what = q === 'mean' ? 'trial mean μ(t)' : 'trial s.d. σ(t)';
  return {
    title: `V2 ${setName}, ${pop === 'post_all' ? 'C = N' : 'C = 40'}: ${what} of the input into one neuron`,
    uncertainty: 'bands: ± s.e. over trials',
    xLabel: 'time (s)',
    yLabel: `${q === 'mean' ? 'μ' : 'σ'} (mV)`,
    series: lines,
  };
}

function psdFigure(setName: V2Set['name'], pop: string, levels: readonly V2LevelCurves[]): LineFigure {
  const lines = levels.map(({ level, psd: p }) => {
    // Neither 0 Hz nor the Nyquist frequency (the last bin): the one-sided PSD counts those bins
    // once, not twice (../analysis/psd.ts), so they would show half the density of their neighbours.
    const keep = Array.from(p.f.keys()).filter((k) => k > 0 && k < p.f.length - 1);
    const se = psdStandardError(p);
    const y = keep.map((k) => p.power[k]);
    const spread = plusMinus(
      y,
      keep.map((k) => se[k]),
      'band',
    );
    return { label: V(level).label, x: keep.map((k) => p.f[k]), y, spread, color: V(level).color, dashed: V(level).dashed };
  });
  return {
    series: lines,
    uncertainty: 'bands: ± s.e. over trials',
    title: `V2 ${setName}, ${pop === 'post_all' ? 'C = N' : 'C = 40'}: PSD of the input fluctuations, ${V2_PSD_WINDOW[0]}–${V2_PSD_WINDOW[1]} s (40 Hz)`,
    xLabel: 'frequency (Hz)',
    yLabel: 'PSD (mV²/Hz)',
    logY: true,
  };
}
