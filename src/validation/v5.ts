/**
 * Validation V5 (docs/validation/plan.md): static synapses, the theory this project extends
 * (Schwalger, Deger & Gerstner 2017). A population of escape-noise LIF neurons driven by Poisson
 * input with recurrent excitation, and an E–I pair, without STP. Compared: the stationary rate of
 * each population (micro-gpu the reference; micro-cpu, meso and macro against it) and the PSD of
 * the population activity A_N(t) per frequency band (micro-cpu and meso: the finite-size
 * fluctuations that the mesoscopic equations are built to reproduce; macro has none).
 */
import type { GpuContext } from '../gpu/device';
import type { VariantId } from '../engines';
import type { Progress, Recording } from '../model/recording';
import type { Scenario, ScenarioInput } from '../model/scenario';
import { parseScenario } from '../model/validate';
import { type Psd, psdStandardError, welchPsd } from '../analysis/psd';
import { leadingSeries, type LineFigure, plusMinus } from '../analysis/figures/lineFigure';
import { levelColumns, levelVariants, runLevels, type RunSizes } from './runLevels';
import { bandDifference, relativeDifference, relativeSampleDifference, sampleMean, standardError, trialRates } from './compare';
import { metric, type Metric, type ReportSpec, type SetResult } from './report';
import populationPreset from '../../scenarios/v5-static-population.json';
import eiPreset from '../../scenarios/v5-static-ei.json';

/** The report's levels (metric.level) and the registry variant each runs, the reference first. */
const VARIANT_OF = { 'micro-gpu': 'micro-gpu', 'micro-cpu': 'micro-cpu', meso: 'meso-mf2', macro: 'macro' } as const satisfies Record<string, VariantId>;
export type V5Level = keyof typeof VARIANT_OF;
const COMPARED: readonly V5Level[] = ['micro-cpu', 'meso', 'macro'];
const LEVELS: readonly V5Level[] = ['micro-gpu', ...COMPARED];
/** The variants V5 runs (static synapses: the STP mean-field does not enter, meso runs its default). */
export const V5_VARIANTS: readonly VariantId[] = LEVELS.map((l) => VARIANT_OF[l]);
const V = levelVariants<V5Level>(VARIANT_OF);

export interface V5Set {
  name: 'population' | 'E–I';
  preset: ScenarioInput;
}

export const V5_SETS: readonly V5Set[] = [
  { name: 'population', preset: populationPreset as unknown as ScenarioInput },
  { name: 'E–I', preset: eiPreset as unknown as ScenarioInput },
];

export type V5Sizes = RunSizes;

export const V5_SIZES: Record<'quick' | 'full', V5Sizes> = {
  quick: { gpuTrials: 16, cpuTrials: 8, mesoTrials: 16, duration: 4 },
  full: { gpuTrials: 128, cpuTrials: 32, mesoTrials: 128, duration: 10 },
};

export const V5_TARGETS = { rate: 0.05, psd: 0.15 };
export const V5_TRANSIENT = 0.5;
/** Welch segments of 512 bins (0.512 s at 1 ms): 2 Hz resolution. */
export const V5_PSD_SEGMENT = 512;
export const V5_BANDS: readonly [number, number][] = [
  [2, 10],
  [10, 40],
  [40, 100],
  [100, 250],
];

export const V5_REPORT: ReportSpec = {
  experiment: 'v5',
  title: 'V5: static synapses, micro against meso and macro',
  columns: levelColumns(COMPARED, VARIANT_OF),
  judged: 'meso',
  intro: [
    'Escape-noise LIF populations without STP (`scenarios/v5-static-*.json`): one population with',
    'recurrent excitation and Poisson input, and an E–I pair. micro-gpu (the most trials) is the',
    'reference; micro-cpu a second witness.',
    '',
    `**Metrics.** The stationary rate (after ${V5_TRANSIENT} s): relative difference of the trial means ± its standard`,
    'error (trial to trial). The PSD of the population activity A_N(t) (1 ms bins, Welch, Hann, 512 ms',
    'segments, the across-trial mean removed): relative difference of its mean over each band ± its',
    'standard error. Targets (docs/validation/plan.md: rate 5 %, PSD 15 % per band) apply to meso. The macro',
    'limit has no finite-size fluctuations, so only its rate is compared.',
  ],
};

export interface V5Options {
  gpu: GpuContext;
  sizes: V5Sizes;
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

function sized(preset: ScenarioInput, trials: number, duration: number, seedOffset: number): Scenario {
  // biome-ignore lint/suspicious/noExplicitAny: the preset's raw JSON, edited before it is validated
  const raw = structuredClone(preset) as Record<string, any>;
  raw.run = { ...raw.run, trials, duration, seed: raw.run.seed + seedOffset };
  raw.record = { activity: true, binSize: 0.001 };
  return parseScenario(raw);
}

/** Trials of each level (macro: one, it is deterministic), and its own seed. */
function levelScenario(level: V5Level, set: V5Set, sizes: V5Sizes): Scenario {
  const { duration } = sizes;
  switch (level) {
    case 'micro-gpu':
      return sized(set.preset, sizes.gpuTrials, duration, 0);
    case 'micro-cpu':
      return sized(set.preset, sizes.cpuTrials, duration, 1);
    case 'meso':
      return sized(set.preset, sizes.mesoTrials, duration, 2);
    case 'macro':
      return sized(set.preset, 1, duration, 3);
  }
}

export async function runV5Set(set: V5Set, o: V5Options): Promise<SetResult> {
  const { recordings: recs, wallSeconds } = await runLevels('V5', set.name, LEVELS, VARIANT_OF, (level) => levelScenario(level, set, o.sizes), o);
  const ref = recs['micro-gpu'];
  const from = Math.round(V5_TRANSIENT / ref.binSize);
  const pops = Object.keys(ref.activity).filter((p) => (set.preset.populations as Record<string, { model: string }>)[p].model !== 'poisson');
  const metrics: Metric[] = [];
  const figures: Record<string, LineFigure> = {};
  const psdOf = (r: Recording, pop: string) => welchPsd(r.activity[pop], r.trials, r.bins, 0, from, r.bins, V5_PSD_SEGMENT, r.binSize);
  for (const pop of pops) {
    const a = trialRates(ref, pop, from);
    const refPsd = psdOf(ref, pop);
    const psds: Partial<Record<V5Level, Psd>> = { 'micro-gpu': refPsd };
    for (const level of COMPARED) {
      const b = trialRates(recs[level], pop, from);
      // The macro limit is deterministic: its one run has no sampling error.
      const rate = level === 'macro' ? relativeDifference(sampleMean(a), standardError(a), b[0], 0) : relativeSampleDifference(a, b);
      metrics.push(
        metric({ set: set.name, population: pop, quantity: 'rate', level, value: rate.value, se: rate.se, floor: rate.se, target: V5_TARGETS.rate }),
      );
      if (level === 'macro') continue;
      const p = psdOf(recs[level], pop);
      psds[level] = p;
      for (const [lo, hi] of V5_BANDS) {
        const d = bandDifference(refPsd, p, lo, hi);
        metrics.push(
          metric({ set: set.name, population: pop, quantity: `psd ${lo}–${hi} Hz`, level, value: d.value, se: d.se, floor: d.se, target: V5_TARGETS.psd }),
        );
      }
    }
    const perLevel = {} as Record<V5Level, V5LevelData>;
    for (const l of LEVELS)
      perLevel[l] = { trials: recs[l].trials, binSize: recs[l].binSize, activity: recs[l].activity[pop].subarray(0, recs[l].bins), psd: psds[l] };
    Object.assign(figures, v5PopulationFigures(set.name, pop, perLevel));
  }
  return { set: set.name, metrics, figures, wallSeconds };
}

/** What V5's figures show of one level for one population. */
export interface V5LevelData {
  trials: number;
  binSize: number;
  /** A_N (Hz) of trial 0. */
  activity: ArrayLike<number>;
  /** The PSD of A_N after the transient; none for macro (no finite-size fluctuations). */
  psd?: Psd;
}

/** The figures of one set and population, by file name: the PSD of A_N, and A_N(t) of trial 0. */
export function v5PopulationFigures(setName: V5Set['name'], pop: string, levels: Record<V5Level, V5LevelData>): Record<string, LineFigure> {
  const figures: Record<string, LineFigure> = {};
  const lines = (['micro-gpu', 'micro-cpu', 'meso'] as V5Level[]).map((level) => {
    const p = levels[level].psd;
    if (!p) throw new Error(`V5 ${setName}, ${pop}: no PSD of ${level}`);
    const keep = Array.from(p.f.keys()).filter((k) => p.f[k] >= 1 && p.f[k] <= 250);
    const se = psdStandardError(p);
    const y = keep.map((k) => p.power[k]);
    return {
      label: `${V(level).label} (${levels[level].trials})`,
      x: keep.map((k) => p.f[k]),
      y,
      spread: plusMinus(
        y,
        keep.map((k) => se[k]),
        'band',
      ),
      color: V(level).color,
      dashed: V(level).dashed,
    };
  });
  const tag = setName === 'population' ? 'population' : 'ei';
  figures[`v5-${tag}-${pop}-psd.svg`] = {
    title: `V5 ${setName}: PSD of the population activity A_N of ${pop}`,
    uncertainty: 'bands: ± s.e. over trials',
    xLabel: 'frequency (Hz)',
    yLabel: 'PSD (Hz²/Hz)',
    logY: true,
    series: lines,
  };
  const snippet = (['micro-gpu', 'meso', 'macro'] as V5Level[]).map((level) => leadingSeries(V(level), levels[level].activity, levels[level].binSize, 1));
  figures[`v5-${tag}-${pop}-activity.svg`] = {
    title: `V5 ${setName}: A_N(t) of ${pop}, first second of trial 0`,
    xLabel: 'time (s)',
    yLabel: 'A_N (Hz)',
    series: snippet,
  };
  return figures;
}
