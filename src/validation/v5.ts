/**
 * Validation V5 (../shared/VALIDATION.md): static synapses, the theory this project extends
 * (Schwalger, Deger & Gerstner 2017). A population of escape-noise LIF neurons driven by Poisson
 * input with recurrent excitation, and an E–I pair, without STP. Compared: the stationary rate of
 * each population (micro-gpu the reference; micro-cpu, meso and macro against it) and the PSD of
 * the population activity A_N(t) per frequency band (micro-cpu and meso: the finite-size
 * fluctuations that the mesoscopic equations are built to reproduce; macro has none).
 */
import type { GpuContext } from '../gpu/device';
import { simulateMesoAsync } from '../meso';
import { simulateMicroCpuAsync } from '../micro/cpu';
import { simulateMicroGpu } from '../micro/gpu';
import type { Progress, Recording } from '../model/recording';
import type { Scenario, ScenarioInput } from '../model/scenario';
import { parseScenario } from '../model/validate';
import { welchPsd } from '../analysis/psd';
import { linePlotSvg } from '../analysis/svgPlot';
import { runLevels, type RunSizes } from './runLevels';
import { bandDifference, relativeDifference, relativeSampleDifference, sampleMean, standardError, trialRates } from './compare';
import { metric, type Metric, type ReportSpec, type SetResult } from './report';
import populationPreset from '../../scenarios/v5-static-population.json';
import eiPreset from '../../scenarios/v5-static-ei.json';

export type V5Level = 'micro-gpu' | 'micro-cpu' | 'meso' | 'macro';
const COMPARED: readonly V5Level[] = ['micro-cpu', 'meso', 'macro'];

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
  columns: [
    { level: 'micro-cpu', label: 'micro-cpu' },
    { level: 'meso', label: 'meso' },
    { level: 'macro', label: 'macro' },
  ],
  judged: 'meso',
  intro: [
    'Escape-noise LIF populations without STP (`scenarios/v5-static-*.json`): one population with',
    'recurrent excitation and Poisson input, and an E–I pair. micro-gpu (the most trials) is the',
    'reference; micro-cpu a second witness.',
    '',
    `**Metrics.** The stationary rate (after ${V5_TRANSIENT} s): relative difference of the trial means ± its standard`,
    'error (trial to trial). The PSD of the population activity A_N(t) (1 ms bins, Welch, Hann, 512 ms',
    'segments, the across-trial mean removed): relative difference of its mean over each band ± its',
    'standard error. Targets (VALIDATION.md: rate 5 %, PSD 15 % per band) apply to meso. The macro',
    'limit has no finite-size fluctuations, so only its rate is compared.',
  ],
};

export interface V5Options {
  gpu: GpuContext;
  sizes: V5Sizes;
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

const COLORS: Record<V5Level, string> = { 'micro-gpu': '#222222', 'micro-cpu': '#7a7a7a', meso: '#c0392b', macro: '#2e6fba' };
const LABELS: Record<V5Level, string> = { 'micro-gpu': 'micro (GPU)', 'micro-cpu': 'micro (CPU)', meso: 'meso', macro: 'macro' };

function sized(preset: ScenarioInput, trials: number, duration: number, seedOffset: number): Scenario {
  const raw = structuredClone(preset) as Record<string, any>;
  raw.run = { ...raw.run, trials, duration, seed: raw.run.seed + seedOffset };
  raw.record = { activity: true, binSize: 0.001 };
  return parseScenario(raw);
}

async function runLevel(level: V5Level, set: V5Set, o: V5Options): Promise<Recording> {
  const progress = (p: Progress) => o.onProgress?.(`${set.name}: ${LABELS[level]}`, p);
  const { duration } = o.sizes;
  progress({ fraction: 0, completedSteps: 0, steps: Math.round(duration / (set.preset.run as { dt: number }).dt) });
  switch (level) {
    case 'micro-gpu':
      return simulateMicroGpu(sized(set.preset, o.sizes.gpuTrials, duration, 0), { gpu: o.gpu, onProgress: progress, signal: o.signal });
    case 'micro-cpu':
      return simulateMicroCpuAsync(sized(set.preset, o.sizes.cpuTrials, duration, 1), { onProgress: progress, signal: o.signal });
    case 'meso':
      return simulateMesoAsync(sized(set.preset, o.sizes.mesoTrials, duration, 2), { level: 'meso', onProgress: progress, signal: o.signal });
    case 'macro':
      return simulateMesoAsync(sized(set.preset, 1, duration, 3), { level: 'macro', onProgress: progress, signal: o.signal });
  }
}

export async function runV5Set(set: V5Set, o: V5Options): Promise<SetResult> {
  const { recordings: recs, wallSeconds } = await runLevels('V5', set.name, ['micro-gpu', ...COMPARED] as V5Level[], (level) => runLevel(level, set, o), (level) => LABELS[level]);
  const ref = recs['micro-gpu'];
  const from = Math.round(V5_TRANSIENT / ref.binSize);
  const pops = Object.keys(ref.activity).filter((p) => (set.preset.populations as Record<string, { model: string }>)[p].model !== 'poisson');
  const metrics: Metric[] = [];
  const figures: Record<string, string> = {};
  const psdOf = (r: Recording, pop: string) => welchPsd(r.activity[pop], r.trials, r.bins, 0, from, r.bins, V5_PSD_SEGMENT, r.binSize);
  for (const pop of pops) {
    const a = trialRates(ref, pop, from);
    const refPsd = psdOf(ref, pop);
    for (const level of COMPARED) {
      const b = trialRates(recs[level], pop, from);
      // The macro limit is deterministic: its one run has no sampling error.
      const rate = level === 'macro' ? relativeDifference(sampleMean(a), standardError(a), b[0], 0) : relativeSampleDifference(a, b);
      metrics.push(metric({ set: set.name, population: pop, quantity: 'rate', level, value: rate.value, se: rate.se, floor: rate.se, target: V5_TARGETS.rate }));
      if (level === 'macro') continue;
      const p = psdOf(recs[level], pop);
      for (const [lo, hi] of V5_BANDS) {
        const d = bandDifference(refPsd, p, lo, hi);
        metrics.push(metric({ set: set.name, population: pop, quantity: `psd ${lo}–${hi} Hz`, level, value: d.value, se: d.se, floor: d.se, target: V5_TARGETS.psd }));
      }
    }
    const lines = (['micro-gpu', 'micro-cpu', 'meso'] as V5Level[]).map((level) => {
      const p = psdOf(recs[level], pop);
      const keep = Array.from(p.f.keys()).filter((k) => p.f[k] >= 1 && p.f[k] <= 250);
      return { label: `${LABELS[level]} (${recs[level].trials})`, x: keep.map((k) => p.f[k]), y: keep.map((k) => p.power[k]), color: COLORS[level], dashed: false };
    });
    const tag = set.name === 'population' ? 'population' : 'ei';
    figures[`v5-${tag}-${pop}-psd.svg`] = linePlotSvg(lines, { title: `V5 ${set.name}: PSD of the population activity A_N of ${pop}`, xLabel: 'frequency (Hz)', yLabel: 'PSD (Hz²/Hz)', logY: true });
    const snippet = (['micro-gpu', 'meso', 'macro'] as V5Level[]).map((level) => {
      const r = recs[level];
      const n = Math.min(r.bins, Math.round(1 / r.binSize));
      return { label: LABELS[level], x: Float64Array.from({ length: n }, (_, k) => (k + 0.5) * r.binSize), y: Array.from({ length: n }, (_, k) => r.activity[pop][k]), color: COLORS[level], dashed: level === 'macro' };
    });
    figures[`v5-${tag}-${pop}-activity.svg`] = linePlotSvg(snippet, { title: `V5 ${set.name}: A_N(t) of ${pop}, first second of trial 0`, xLabel: 'time (s)', yLabel: 'A_N (Hz)' });
  }
  return { set: set.name, metrics, figures, wallSeconds };
}
