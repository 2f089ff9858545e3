/**
 * Validation V7 (docs/validation/plan.md): the validity map. MF1 and MF2 (Schmutz, Gerstner &
 * Schwalger 2020) average the Tsodyks–Markram synapse over Poisson presynaptic spike trains; the
 * neurons of V3 and V4 fire nearly regularly, and there MF2 misses. V7 asks where the assumption
 * holds: one network (`scenarios/v7-validity-map.json`) at every point of a grid of refractoriness,
 * escape-noise width Δu and drive, which moves the ISI CV of the neurons from about 0.2 to 0.9, and
 * at each point the errors of MF1, MF2 and the age-resolved mean-field (docs/meso.md) in the
 * stationary rate and in the s.d. of one neuron's synaptic input, against micro-gpu.
 *
 * The grid is a sweep (src/sweep/grid.ts): each point is the preset with the --vary values of
 * V7_VARY set, so one level of the map is `mesostp sweep` of the preset with the same --vary.
 */
import type { GpuContext } from '../gpu/device';
import type { VariantId } from '../engines';
import type { Progress, Recording } from '../model/recording';
import type { Scenario } from '../model/scenario';
import { parseScenario } from '../model/validate';
import { variance } from '../analysis/agreement';
import { interspikeIntervalCv } from '../analysis/interspikeIntervals';
import { type LineFigure, plusMinus } from '../analysis/figures/lineFigure';
import { applyPoint, gridPoints, parseVaries } from '../sweep/grid';
import { levelColumns, levelVariants, runLevels, type RunSizes } from './runLevels';
import { relativeSampleDifference, sampleMean, standardError, trialRates } from './compare';
import { metric, type Metric, type ReportSpec, type SetResult } from './report';
import preset from '../../scenarios/v7-validity-map.json';

/** The report's levels (metric.level) and the registry variant each runs, the reference first. */
const VARIANT_OF = { 'micro-gpu': 'micro-gpu', mf1: 'meso-mf1', mf2: 'meso-mf2', age: 'meso-age' } as const satisfies Record<string, VariantId>;
export type V7Level = keyof typeof VARIANT_OF;
export const V7_COMPARED: readonly ('mf1' | 'mf2' | 'age')[] = ['mf1', 'mf2', 'age'];
const LEVELS: readonly V7Level[] = ['micro-gpu', ...V7_COMPARED];
export const V7_VARIANTS: readonly VariantId[] = LEVELS.map((l) => VARIANT_OF[l]);
const V = levelVariants<V7Level>(VARIANT_OF);

/**
 * The grid, as `mesostp sweep --vary` takes it: refractoriness (s), Δu (mV) and the constant drive μ
 * (mV). Refractoriness and a narrow Δu make firing regular; a wide Δu makes the hazard nearly
 * independent of the potential, so firing approaches a Poisson process.
 */
export const V7_VARY_SPECS = ['populations.E.tRef=0,0.004', 'populations.E.deltaU=2,3,5,10,20', 'populations.E.mu.value=9,12'] as const;
const VARY = parseVaries(V7_VARY_SPECS);

export interface V7Set {
  name: string;
  tRef: number;
  deltaU: number;
  mu: number;
}

const setName = (tRef: number, deltaU: number, mu: number) => `tRef ${1000 * tRef} ms, Δu ${deltaU} mV, μ ${mu} mV`;
export const V7_SETS: readonly V7Set[] = gridPoints(VARY).map(([tRef, deltaU, mu]) => ({ name: setName(tRef, deltaU, mu), tRef, deltaU, mu }));
/** `--quick`: the most regular and the most irregular point at the higher drive. */
export const V7_QUICK_SETS = [setName(0.004, 2, 12), setName(0, 20, 12)];

/** gpuTrials: micro-gpu trials; mesoTrials: trials of each mean-field; duration: seconds per trial. */
export type V7Sizes = Pick<RunSizes, 'gpuTrials' | 'mesoTrials' | 'duration'>;
export const V7_SIZES: Record<'quick' | 'full', V7Sizes> = {
  quick: { gpuTrials: 8, mesoTrials: 16, duration: 3 },
  full: { gpuTrials: 16, mesoTrials: 64, duration: 4 },
};

export const V7_TRANSIENT = 0.5;
/** V5's rate target and the same 5 % for the input s.d. (V2 asks 3 % of MF2 for Poisson input). */
export const V7_TARGETS = { rate: 0.05, inputSd: 0.05 };

/** Bin of the asynchrony measure (s), and the ratio below which a point counts as asynchronous. */
export const ASYNCHRONY_BIN = 0.01;
export const ASYNCHRONOUS_BELOW = 5;

export const V7_REPORT: ReportSpec = {
  experiment: 'v7',
  title: 'V7: validity map, the STP mean-fields against the regularity of presynaptic firing',
  columns: levelColumns(V7_COMPARED, VARIANT_OF),
  judged: 'mf2',
  summaryFigures: (results) => v7MapFigures(results.map((r) => r.data as V7Data)),
  summaryNotes: (results) => v7MapTable(results.map((r) => r.data as V7Data)),
  intro: [
    'MF1 and MF2 (Schmutz, Gerstner & Schwalger 2020) average the synapse over Poisson presynaptic spike trains. V7 runs one',
    "network, `scenarios/v7-validity-map.json` (V6's population of 1000 escape-noise LIF neurons with depression U = 0.5,",
    'τD = 0.1 s, comparable to the interspike intervals), at each point of a grid of refractoriness, escape-noise width Δu and',
    `drive μ (${V7_VARY_SPECS.map((s) => `\`${s}\``).join(', ')}). Narrow Δu and refractoriness make the neurons fire regularly;`,
    'wide Δu makes the hazard nearly independent of the potential, and firing nearly Poisson.',
    '',
    `**Measured at each point**, after ${V7_TRANSIENT} s: the ISI CV of 200 neurons of micro-gpu (intervals pooled over the neurons`,
    'of a trial, mean ± s.e. over trials); the stationary rate of E; and the s.d. in time of the total synaptic input into one',
    'neuron (in-degrees 100 recurrent and 50 external: the second-order statistics MF2 is built for), trial mean ± s.e. Each',
    'mean-field is compared with micro-gpu by the relative difference ± its standard error, with the targets 5 % (rate, as V5)',
    "and 5 % (input s.d.), judged for MF2, the paper's. Near a bifurcation the network does not fire asynchronously but switches or",
    `bursts; the map flags these points by the variance of micro's A_N (${1000 * ASYNCHRONY_BIN}-ms bins) over that of independent Poisson neurons`,
    `(≥ ${ASYNCHRONOUS_BELOW}) and leaves them out of the figures: their ISI CV comes from the network's switching, not from Poisson-like firing.`,
    '',
    'One level of the map is a sweep: e.g. `mesostp sweep scenarios/v7-validity-map.json ' +
      `${V7_VARY_SPECS.map((s) => `--vary ${s}`).join(' ')} --level meso --stp mf2 --out out/v7-mf2\`.`,
  ],
};

export interface V7Options {
  gpu: GpuContext;
  sizes: V7Sizes;
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

/** The preset at one point of the grid, with a level's trials, seconds and seed. */
export function v7Scenario(set: V7Set, trials: number, duration: number, seedOffset: number): Scenario {
  // biome-ignore lint/suspicious/noExplicitAny: the preset's raw JSON, edited before it is validated
  const raw = applyPoint(structuredClone(preset), VARY, [set.tRef, set.deltaU, set.mu]) as Record<string, any>;
  raw.run = { ...raw.run, trials, duration, seed: raw.run.seed + seedOffset };
  return parseScenario(raw);
}

function levelScenario(level: V7Level, s: V7Set, sizes: V7Sizes): Scenario {
  const trials = level === 'micro-gpu' ? sizes.gpuTrials : sizes.mesoTrials;
  const index = V7_SETS.findIndex((x) => x.name === s.name);
  return v7Scenario(s, trials, sizes.duration, 16 * index + LEVELS.indexOf(level));
}

/** The time s.d. of the input into the first recorded neuron of E, per trial, from bin `from` on. */
export function trialInputSd(r: Recording, from: number): number[] {
  const perTrial = r.inputs.E.neurons.length * r.bins;
  return Array.from({ length: r.trials }, (_, t) => Math.sqrt(variance(r.inputs.E.sampled, t * perTrial + from, r.bins - from)));
}

/**
 * How far a state is from asynchronous firing: the variance in time of A_N in 10-ms bins over
 * the variance r/(N·10 ms) that independent Poisson neurons at the same rate give, per trial, from
 * bin `from` on (1-ms bins), averaged over trials. Asynchronous states give about 1–3; states near
 * a bifurcation, which switch or burst, tens to hundreds. It is the Fano factor of the 10-ms spike
 * counts (agreement.ts fanoFactors), here from bin `from` on and without rounding the counts.
 */
export function activityVarianceRatio(r: Recording, N: number, from: number): number {
  const a = r.activity.E;
  const w = Math.max(1, Math.round(ASYNCHRONY_BIN / r.binSize));
  const blocks = Math.floor((r.bins - from) / w);
  let sum = 0;
  for (let t = 0; t < r.trials; t++) {
    const x = Float64Array.from({ length: blocks }, (_, b) => {
      let s = 0;
      for (let j = 0; j < w; j++) s += a[t * r.bins + from + b * w + j];
      return s / w;
    });
    const m = x.reduce((p, q) => p + q, 0) / blocks;
    sum += variance(x, 0, blocks) / (m / (N * w * r.binSize));
  }
  return sum / r.trials;
}

/** A mean-field's signed relative difference from micro, b/a − 1, and its standard error. */
export interface SignedDifference {
  value: number;
  se: number;
}

/** What the map needs of one point. */
export interface V7Data {
  set: V7Set;
  cv: { mean: number; se: number };
  rate: { mean: number; se: number };
  inputSd: { mean: number; se: number };
  /** micro-gpu's activityVarianceRatio: below ASYNCHRONOUS_BELOW the point is an asynchronous state. */
  varianceRatio: number;
  rateDiff: Record<'mf1' | 'mf2' | 'age', SignedDifference>;
  inputSdDiff: Record<'mf1' | 'mf2' | 'age', SignedDifference>;
}

function signed(a: readonly number[], b: readonly number[]): SignedDifference {
  const d = relativeSampleDifference(a, b);
  return { value: Math.sign(sampleMean(b) - sampleMean(a)) * d.value, se: d.se };
}

export async function runV7Set(s: V7Set, o: V7Options): Promise<SetResult> {
  const { recordings: recs, wallSeconds } = await runLevels('V7', s.name, LEVELS, VARIANT_OF, (level) => levelScenario(level, s, o.sizes), o);
  const ref = recs['micro-gpu'];
  const from = Math.round(V7_TRANSIENT / ref.binSize);
  const rates = Object.fromEntries(LEVELS.map((l) => [l, trialRates(recs[l], 'E', from)])) as Record<V7Level, number[]>;
  const sds = Object.fromEntries(LEVELS.map((l) => [l, trialInputSd(recs[l], from)])) as Record<V7Level, number[]>;
  const isi = interspikeIntervalCv(ref.spikes.E, ref.trials, V7_TRANSIENT);
  const metrics: Metric[] = [];
  const rateDiff = {} as V7Data['rateDiff'];
  const inputSdDiff = {} as V7Data['inputSdDiff'];
  for (const level of V7_COMPARED) {
    rateDiff[level] = signed(rates['micro-gpu'], rates[level]);
    inputSdDiff[level] = signed(sds['micro-gpu'], sds[level]);
    const add = (quantity: string, d: SignedDifference, target: number) =>
      metrics.push(metric({ set: s.name, population: 'E', quantity, level, value: Math.abs(d.value), se: d.se, floor: d.se, target }));
    add('rate', rateDiff[level], V7_TARGETS.rate);
    add('input s.d.', inputSdDiff[level], V7_TARGETS.inputSd);
  }
  const stat = (x: number[]) => ({ mean: sampleMean(x), se: standardError(x) });
  const varianceRatio = activityVarianceRatio(ref, ref.scenario.populations.E.N, from);
  const data: V7Data = {
    set: s,
    cv: { mean: isi.cv, se: isi.se },
    rate: stat(rates['micro-gpu']),
    inputSd: stat(sds['micro-gpu']),
    varianceRatio,
    rateDiff,
    inputSdDiff,
  };
  const notes = [
    `micro-gpu: ISI CV ${isi.cv.toFixed(3)} ± ${isi.se.toFixed(3)} (${isi.intervals} intervals of 200 neurons), rate ${data.rate.mean.toFixed(2)} ± ${data.rate.se.toFixed(2)} Hz, input s.d. ${data.inputSd.mean.toFixed(3)} ± ${data.inputSd.se.toFixed(3)} mV; variance of A_N (10 ms) ${varianceRatio.toFixed(1)}× Poisson's: ${stateName(varianceRatio)}.`,
    `Signed differences (mean-field − micro, relative): ${V7_COMPARED.map((l) => `${V(l).short} rate ${pctSigned(rateDiff[l].value)}, input s.d. ${pctSigned(inputSdDiff[l].value)}`).join('; ')}.`,
  ];
  return { set: s.name, metrics, figures: {}, wallSeconds, notes, data };
}

const stateName = (ratio: number) => (ratio < ASYNCHRONOUS_BELOW ? 'asynchronous' : 'switching or bursting');
const pctSigned = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)} %`;
const withSe = (d: SignedDifference) => `${pctSigned(d.value)} ± ${(100 * d.se).toFixed(1)}`;

/** The map as a markdown table, the points in order of their ISI CV. */
export function v7MapTable(data: readonly V7Data[]): string[] {
  const sorted = [...data].sort((a, b) => a.cv.mean - b.cv.mean);
  const levels = V7_COMPARED.map((l) => V(l).short);
  return [
    '### The map',
    '',
    'Signed relative differences from micro-gpu (mean-field − micro) ± s.e., the points in order of their ISI CV. "A_N var." is the',
    `variance of micro's A_N in ${1000 * ASYNCHRONY_BIN}-ms bins over that of independent Poisson neurons at the same rate; below ${ASYNCHRONOUS_BELOW} the state is`,
    'asynchronous, above it the network switches or bursts near a bifurcation, and its ISI CV measures that, not Poisson-like firing.',
    '',
    `| tRef (ms) | Δu (mV) | μ (mV) | ISI CV | A_N var. | rate (Hz) | ${levels.map((l) => `${l} rate`).join(' | ')} | input s.d. (mV) | ${levels.map((l) => `${l} input s.d.`).join(' | ')} |`,
    `| ${Array.from({ length: 7 + 2 * levels.length }, () => '---').join(' | ')} |`,
    ...sorted.map(
      (d) =>
        `| ${1000 * d.set.tRef} | ${d.set.deltaU} | ${d.set.mu} | ${d.cv.mean.toFixed(2)} ± ${d.cv.se.toFixed(2)} | ${d.varianceRatio < ASYNCHRONOUS_BELOW ? d.varianceRatio.toFixed(1) : `**${d.varianceRatio.toFixed(0)}**`} | ${d.rate.mean.toFixed(1)} | ` +
        `${V7_COMPARED.map((l) => withSe(d.rateDiff[l])).join(' | ')} | ${d.inputSd.mean.toFixed(2)} | ${V7_COMPARED.map((l) => withSe(d.inputSdDiff[l])).join(' | ')} |`,
    ),
  ];
}

/**
 * The errors of each mean-field against the ISI CV: rate and input s.d., one marker per
 * asynchronous point (a switching or bursting network's ISI CV says nothing of Poisson-like firing).
 */
export function v7MapFigures(data: readonly V7Data[]): Record<string, LineFigure> {
  const sorted = data.filter((d) => d.varianceRatio < ASYNCHRONOUS_BELOW).sort((a, b) => a.cv.mean - b.cv.mean);
  if (sorted.length === 0) return {};
  const left = data.length - sorted.length;
  const x = sorted.map((d) => d.cv.mean);
  const figure = (which: 'rateDiff' | 'inputSdDiff', what: string): LineFigure => ({
    title: `V7: ${what} of each mean-field against the ISI CV of the network`,
    uncertainty: `bars: ± s.e. of each difference; ISI CV of micro-gpu; asynchronous points only${left > 0 ? ` (${left} switching or bursting point${left > 1 ? 's' : ''} in the table)` : ''}`,
    xLabel: 'ISI CV of the presynaptic neurons (micro-gpu)',
    yLabel: `${what}, (mean-field − micro)/micro (%)`,
    xDomain: [0, 1],
    series: V7_COMPARED.map((l) => {
      const y = sorted.map((d) => 100 * d[which][l].value);
      return {
        label: V(l).label,
        x,
        y,
        spread: plusMinus(
          y,
          sorted.map((d) => 100 * d[which][l].se),
          'bars',
        ),
        color: V(l).color,
        dashed: V(l).dashed,
        marker: l === 'mf1' ? ('open' as const) : ('filled' as const),
      };
    }),
  });
  return { 'v7-rate-vs-cv.svg': figure('rateDiff', 'rate difference'), 'v7-input-sd-vs-cv.svg': figure('inputSdDiff', 'input s.d. difference') };
}
