/**
 * The host memory a run's Recording needs, estimated from the scenario alone before anything is
 * allocated, and the refusal of a run that cannot fit: with the numbers, and the alternatives that
 * would fit (record.trials 'stats', fewer trials, a larger bin, fewer sampled inputs). Without it,
 * `--trials 100000000` died on "Invalid typed array length" and a GPU run of 2·10⁶ trials ran for
 * hours before failing to concatenate its batches.
 *
 * Counted: the per-trial arrays of the kept trials (float64: trials × series × bins), the
 * statistics (2 × series × bins), and the copy a merge of parts makes (worker threads, GPU
 * batches). Not counted: spikes (their number depends on the rates), and the engines' own state,
 * which the CPU engines bound in 'stats' mode by running trials in batches (./trialBatches.ts) and
 * the GPU engine by its memory budget (src/micro/gpu/plan.ts).
 */
import { stepCount, stepsPerBin } from './recording';
import type { Scenario } from './scenario';
import { STP_MODEL_INFO } from './stpModels';

/** Elements a typed array may have in V8 (2³² − 1 to be safe across versions and browsers). */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32 - 1;

export interface RecordingMemory {
  mode: 'all' | 'stats';
  trials: number;
  /** Trials whose arrays are held. */
  keptTrials: number;
  bins: number;
  /** Recorded series per trial: one per population (activity), per sampled input neuron and input mean, per STP variable. */
  series: number;
  /** Series per trial that are sampled input neurons. */
  sampledSeries: number;
  /** Bytes of the kept trials' arrays, and of the statistics. */
  arrayBytes: number;
  statsBytes: number;
  /** The most the recording takes at once: with the copy of a merge where there is one. */
  peakBytes: number;
  /** Elements of the largest single array (a merged input's [trials × neurons × bins]). */
  largestArray: number;
}

/** The series a run records per trial, by kind. */
export function recordedSeries(s: Scenario): { activity: number; inputs: number; sampled: number; stp: number } {
  const sampled = new Map<string, number>();
  for (const r of s.record.inputs)
    sampled.set(r.population, Math.min(Math.max(r.neurons, sampled.get(r.population) ?? 0), s.populations[r.population]?.N ?? r.neurons));
  let n = 0;
  for (const m of sampled.values()) n += m;
  const stp = s.record.stp ? s.projections.reduce((k, p) => k + STP_MODEL_INFO[p.stp.model].variables.length, 0) : 0;
  return { activity: Object.keys(s.populations).length, inputs: sampled.size, sampled: n, stp };
}

/** Float64 bytes of one trial's arrays: what a run in 'all' mode holds per trial. */
export function recordingBytesPerTrial(s: Scenario): number {
  const k = recordedSeries(s);
  return 8 * (k.activity + k.inputs + k.sampled + k.stp) * Math.floor(stepCount(s) / stepsPerBin(s));
}

/**
 * The estimate for `scenario` (record.trials and keepTrials as it says); `merges`: the run
 * concatenates parts at the end (worker threads, GPU batches), which holds the parts and the
 * merged arrays at once.
 */
export function recordingMemory(scenario: Scenario, o: { merges: boolean }): RecordingMemory {
  const k = recordedSeries(scenario);
  const series = k.activity + k.inputs + k.sampled + k.stp;
  const bins = Math.floor(stepCount(scenario) / stepsPerBin(scenario));
  const trials = scenario.run.trials;
  const mode = scenario.record.trials;
  const keptTrials = mode === 'all' ? trials : Math.min(trials, scenario.record.keepTrials);
  const arrayBytes = 8 * keptTrials * series * bins;
  const statsBytes = 8 * 2 * series * bins;
  const largestPerTrial = Math.max(1, ...[...new Set(scenario.record.inputs.map((r) => r.population))].map((p) => recordedSampled(scenario, p)));
  return {
    mode,
    trials,
    keptTrials,
    bins,
    series,
    sampledSeries: k.sampled,
    arrayBytes,
    statsBytes,
    peakBytes: arrayBytes * (o.merges ? 2 : 1) + statsBytes * (mode === 'stats' ? 3 : 1),
    largestArray: keptTrials * largestPerTrial * bins,
  };
}

function recordedSampled(s: Scenario, population: string): number {
  const m = Math.max(0, ...s.record.inputs.filter((r) => r.population === population).map((r) => r.neurons));
  return Math.min(m, s.populations[population]?.N ?? m);
}

/** A run whose recording cannot fit in the host's memory or in a typed array. */
export class RecordingMemoryError extends Error {
  override name = 'RecordingMemoryError';
}

/** "1.2 GB", "312 kB": decimal units, as memory is usually quoted. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v >= 100 ? v.toFixed(0) : v.toPrecision(3)} ${units[u]}`;
}

export interface HostLimit {
  /** Bytes a recording may take. */
  bytes: number;
  /** How the limit was set, for the message: "75 % of this machine's 24.6 GB". */
  what: string;
}

/**
 * Refuses a run whose recording does not fit in `limit` or whose largest array exceeds what a
 * typed array can hold, naming the numbers and what would fit; returns the estimate otherwise.
 */
export function checkRecordingMemory(scenario: Scenario, o: { merges: boolean; limit: HostLimit }): RecordingMemory {
  const m = recordingMemory(scenario, o);
  const tooBig = m.peakBytes > o.limit.bytes;
  const tooLong = m.largestArray > MAX_TYPED_ARRAY_LENGTH;
  if (!tooBig && !tooLong) return m;
  const shape = `${m.keptTrials} trial(s) × ${m.series} series × ${m.bins} bins in float64`;
  const problem = tooBig
    ? `the recording needs about ${formatBytes(m.peakBytes)} of host memory (${shape}${o.merges && m.arrayBytes > 0 ? ', twice while the parts merge' : ''}); this run may use ${formatBytes(o.limit.bytes)} (${o.limit.what})`
    : `the recording's largest array would have ${m.largestArray} elements (${shape}), more than a typed array holds (${MAX_TYPED_ARRAY_LENGTH})`;
  const options: string[] = [];
  const perTrial = m.peakBytes / Math.max(1, m.keptTrials);
  if (m.mode === 'all') {
    const stats = recordingMemory({ ...scenario, record: { ...scenario.record, trials: 'stats' } }, o);
    options.push(
      `run with --record stats (record.trials: "stats"), which keeps per-bin trial means and variances in about ${formatBytes(stats.peakBytes)}${stats.keptTrials > 0 ? ` with the arrays of the first ${stats.keptTrials} trial(s)` : ''}`,
    );
  } else {
    options.push(`keep fewer trials' arrays (record.keepTrials is ${scenario.record.keepTrials})`);
  }
  const byMemory = Math.floor((o.limit.bytes - (m.peakBytes - perTrial * m.keptTrials)) / Math.max(1, perTrial));
  const byLength = Math.floor(MAX_TYPED_ARRAY_LENGTH / Math.max(1, m.largestArray / Math.max(1, m.keptTrials)));
  const fit = Math.max(0, Math.min(byMemory, byLength));
  if (m.mode === 'all' && fit >= 1) options.push(`run at most ${fit} trials (--trials)`);
  // Larger bins or fewer series shrink every array by the same factor; offered only where that factor can do it.
  const factor = Math.max(m.peakBytes / o.limit.bytes, m.largestArray / MAX_TYPED_ARRAY_LENGTH);
  const binSize = scenario.record.binSize ?? scenario.run.dt;
  if (Math.ceil(factor) < m.bins) options.push(`record in bins at least ${Math.ceil(factor)}× larger (record.binSize is ${binSize} s)`);
  if (m.sampledSeries > 0 && m.series / (m.series - m.sampledSeries) >= factor)
    options.push(`record fewer sampled input neurons (record.inputs: ${m.sampledSeries} of the ${m.series} series per trial)`);
  throw new RecordingMemoryError(`${problem}. Instead: ${options.join('; or ')}.`);
}
