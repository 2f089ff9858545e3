/**
 * What the app's figures show, computed from the recordings of each level with the same
 * analysis functions the CLI's validation reports use (trial curves, Welch PSD, Up/Down
 * segmentation), so a figure in the browser and one in docs/validation mean the same thing.
 * Trial means and s.d. come from the recordings' statistics, which cover every trial whatever
 * record.trials says; spectra and dwell times need each trial's arrays, and use the kept ones
 * (all, unless record.trials is 'stats'), saying so in the note.
 * Pure functions of recordings: tested in Node, drawn by ../ui/figures.ts.
 */
import type { Recording } from '../../model/recording';
import { type FigureOptions, type FigureSeries, plusMinus } from '../../analysis/figures/lineFigure';
import { trialVariance, type TrialStats } from '../../model/trialStats';
import { psdStandardError, welchPsd } from '../../analysis/psd';
import { segmentUpDown, type UpDownOptions } from '../../analysis/upDown';
import { LEVELS, type LevelChoice } from './levels';

export type Recordings = Partial<Record<LevelChoice, Recording>>;

export interface Figure {
  id: string;
  lines: FigureSeries[];
  options: FigureOptions;
  /** Why the figure is empty or what it leaves out (shown under it). */
  note?: string;
}

/** Points drawn per curve at most: longer series are averaged in blocks (the data and exports keep every bin). */
export const MAX_POINTS = 1500;

/** Block means of y (and of x) so that at most `max` points remain. */
export function decimate(x: ArrayLike<number>, y: ArrayLike<number>, max = MAX_POINTS): { x: Float64Array; y: Float64Array } {
  const n = Math.min(x.length, y.length);
  const k = Math.max(1, Math.ceil(n / max));
  const m = Math.floor(n / k);
  const ox = new Float64Array(m);
  const oy = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let sx = 0;
    let sy = 0;
    for (let j = i * k; j < (i + 1) * k; j++) {
      sx += x[j];
      sy += y[j];
    }
    ox[i] = sx / k;
    oy[i] = sy / k;
  }
  return { x: ox, y: oy };
}

function binCentres(r: Recording): Float64Array {
  return Float64Array.from({ length: r.bins }, (_, k) => (k + 0.5) * r.binSize);
}

function entries(recs: Recordings): [LevelChoice, Recording][] {
  return (Object.entries(recs) as [LevelChoice, Recording][]).filter(([, r]) => r && r.bins > 0);
}

const trialsLabel = (r: Recording) => (r.level === 'macro' ? '' : `, ${r.trials} trial${r.trials === 1 ? '' : 's'}`);

/** Row `row` of a quantity's statistics: the trial mean and the trial s.d. per bin. */
function statsCurves(s: TrialStats, row = 0): { mean: Float64Array; sd: Float64Array } {
  const o = row * s.bins;
  return { mean: s.mean.subarray(o, o + s.bins), sd: Float64Array.from({ length: s.bins }, (_, k) => Math.sqrt(trialVariance(s, o + k))) };
}

/** "(from the 16 of 100000 trials whose arrays were kept)" where record.trials 'stats' kept fewer than all. */
const keptNote = (r: Recording) => (r.keptTrials < r.trials ? ` (the ${r.keptTrials} of ${r.trials} trials whose arrays were kept)` : '');

/** Trial-mean population activity of every population, every level, ± its standard error over trials. */
export function activityFigure(recs: Recordings): Figure {
  const lines: FigureSeries[] = [];
  for (const [choice, r] of entries(recs)) {
    const pops = Object.keys(r.activity);
    pops.forEach((pop, i) => {
      const c = statsCurves(r.stats.activity[pop]);
      const d = decimate(binCentres(r), c.mean);
      // Block-averaged like the mean: the band is the s.e. of each drawn point's trial mean, near enough for a live view.
      const se = decimate(binCentres(r), c.sd).y.map((sd) => sd / Math.sqrt(r.trials));
      const spread = r.trials > 1 ? plusMinus(d.y, se, 'band') : undefined;
      lines.push({ label: `${pop} (${LEVELS[choice].short})`, x: d.x, y: d.y, spread, color: LEVELS[choice].color, dashed: i % 2 === 1 });
    });
  }
  return {
    id: 'activity',
    lines,
    options: { title: 'Population activity A(t), trial mean', uncertainty: 'bands: ± s.e. over trials', xLabel: 'time (s)', yLabel: 'A (Hz)' },
  };
}

/**
 * Trial mean ± s.d. of the total synaptic input into one neuron of `population` (the first
 * sampled one), every level on one axis: the quantity validation V2 compares (docs/validation/plan.md).
 */
export function inputBandFigure(recs: Recordings, population: string): Figure {
  const lines: FigureSeries[] = [];
  for (const [choice, r] of entries(recs)) {
    const rec = r.inputs[population];
    if (!rec || rec.neurons.length === 0) continue;
    const c = statsCurves(r.stats.inputs[population].sampled);
    const t = binCentres(r);
    const mean = decimate(t, c.mean);
    const sd = decimate(t, c.sd);
    const spread = r.trials > 1 ? plusMinus(mean.y, sd.y, 'band') : undefined;
    lines.push({ label: `${LEVELS[choice].label}${trialsLabel(r)}`, x: mean.x, y: mean.y, spread, color: LEVELS[choice].color });
  }
  return {
    id: `input-${population}`,
    lines,
    options: { title: `Synaptic input into a ${population} neuron`, uncertainty: 'bands: trial mean ± trial s.d.', xLabel: 'time (s)', yLabel: 'input (mV)' },
    note: lines.length === 0 ? `no level recorded the input into ${population} (scenario.record.inputs)` : undefined,
  };
}

/** Largest power of two ≤ n, at most `cap`. */
function segmentFor(bins: number, cap = 512): number {
  let s = 1;
  while (s * 2 <= Math.min(bins, cap)) s *= 2;
  return s;
}

/**
 * Welch PSD of the trial-to-trial fluctuations of the input into one neuron of `population`,
 * over the second half of the run (after the initial transient). Levels with one trial or none
 * (macro has no fluctuations) are left out, with the reason in the note.
 */
export function inputPsdFigure(recs: Recordings, population: string): Figure {
  const lines: FigureSeries[] = [];
  const left: string[] = [];
  for (const [choice, r] of entries(recs)) {
    const rec = r.inputs[population];
    if (!rec || rec.neurons.length === 0) continue;
    if (r.level === 'macro' || r.keptTrials < 2) {
      const why =
        r.level === 'macro'
          ? 'no fluctuations at N → ∞'
          : r.keptTrials < r.trials
            ? 'needs the arrays of ≥ 2 trials: raise record.keepTrials'
            : 'needs ≥ 2 trials';
      left.push(`${LEVELS[choice].label} (${why})`);
      continue;
    }
    const from = Math.floor(r.bins / 2);
    const segment = segmentFor(r.bins - from);
    if (segment < 8) {
      left.push(`${LEVELS[choice].label} (run too short)`);
      continue;
    }
    const p = welchPsd(rec.sampled, r.keptTrials, rec.neurons.length * r.bins, 0, from, r.bins, segment, r.binSize);
    // Drop f = 0: the trial mean is subtracted, so it carries no fluctuation power.
    const y = p.power.subarray(1);
    const spread = plusMinus(y, psdStandardError(p).subarray(1), 'band');
    lines.push({ label: `${LEVELS[choice].label}${keptNote(r)}`, x: p.f.subarray(1), y, spread, color: LEVELS[choice].color });
  }
  return {
    id: `psd-${population}`,
    lines,
    options: {
      title: `PSD of the input fluctuations into a ${population} neuron (second half of the run)`,
      xLabel: 'frequency (Hz)',
      yLabel: 'PSD (mV²/Hz)',
      uncertainty: 'bands: ± s.e. over trials',
      logX: true,
      logY: true,
    },
    note: left.length ? `not shown: ${left.join('; ')}` : undefined,
  };
}

/** Mean STP variables (u, x, …) of every STP projection, trial mean, every level. */
export function stpFigure(recs: Recordings): Figure {
  const lines: FigureSeries[] = [];
  for (const [choice, r] of entries(recs)) {
    let i = 0;
    for (const [proj, vars] of Object.entries(r.stats.stp)) {
      for (const [name, s] of Object.entries(vars)) {
        const d = decimate(binCentres(r), s.mean);
        lines.push({ label: `${name} ${proj} (${LEVELS[choice].short})`, x: d.x, y: d.y, color: LEVELS[choice].color, dashed: i++ % 2 === 1 });
      }
    }
  }
  return { id: 'stp', lines, options: { title: 'STP variables, mean over synapses and trials', xLabel: 'time (s)', yLabel: 'value' } };
}

export interface DwellHistogram {
  up: number[];
  down: number[];
  figure: Figure;
}

/** Populations with a projection onto themselves: where Up/Down switching can happen. */
export function recurrentPopulations(r: Recording): string[] {
  return [...new Set(r.scenario.projections.filter((q) => q.from === q.to).map((q) => q.from))];
}

/** Histogram as a step curve (x at bin edges) of values in [0, max), `bins` bins, normalised to a density. */
export function histogramSteps(values: readonly number[], max: number, bins: number): { x: Float64Array; y: Float64Array } {
  const width = max / bins;
  const counts = new Float64Array(bins);
  for (const v of values) if (v >= 0 && v < max) counts[Math.floor(v / width)]++;
  const x = new Float64Array(2 * bins);
  const y = new Float64Array(2 * bins);
  const norm = values.length > 0 ? values.length * width : 1;
  for (let b = 0; b < bins; b++) {
    x[2 * b] = b * width;
    x[2 * b + 1] = (b + 1) * width;
    y[2 * b] = y[2 * b + 1] = counts[b] / norm;
  }
  return { x, y };
}

/** Up and Down dwell-time histograms of `population` for every level (the segmentation of validation V3, docs/validation/plan.md). */
export function dwellFigure(recs: Recordings, population: string, o: Omit<UpDownOptions, 'binSeconds'>): Figure {
  const lines: FigureSeries[] = [];
  const counts: string[] = [];
  const all: { choice: LevelChoice; up: number[]; down: number[] }[] = [];
  for (const [choice, r] of entries(recs)) {
    const a = r.activity[population];
    if (!a || r.keptTrials === 0) continue;
    const seg = segmentUpDown(a, r.keptTrials, r.bins, { ...o, binSeconds: r.binSize });
    all.push({ choice, up: seg.upDwell, down: seg.downDwell });
    counts.push(`${LEVELS[choice].label}: ${seg.upDwell.length} Up, ${seg.downDwell.length} Down periods${keptNote(r)}`);
  }
  const max = Math.max(0, ...all.flatMap((d) => [...d.up, ...d.down]));
  if (max > 0) {
    for (const d of all) {
      const up = histogramSteps(d.up, max * 1.0001, 30);
      const down = histogramSteps(d.down, max * 1.0001, 30);
      lines.push({ label: `Up (${LEVELS[d.choice].short})`, x: up.x, y: up.y, color: LEVELS[d.choice].color });
      lines.push({ label: `Down (${LEVELS[d.choice].short})`, x: down.x, y: down.y, color: LEVELS[d.choice].color, dashed: true });
    }
  }
  return {
    id: `dwell-${population}`,
    lines,
    options: {
      title: `Up/Down dwell times of ${population} (Up above ${o.high} Hz, Down below ${o.low} Hz)`,
      xLabel: 'dwell time (s)',
      yLabel: 'density (1/s)',
    },
    note: counts.length ? `complete periods: ${counts.join('; ')}` : undefined,
  };
}
