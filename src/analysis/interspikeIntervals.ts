/**
 * Interspike-interval statistics of recorded spike trains: how regular the neurons fire. The
 * coefficient of variation (CV = s.d./mean of the intervals) is 1 for a Poisson process and near 0
 * for a clock; the STP mean-fields MF1 and MF2 assume Poisson presynaptic trains (Schmutz, Gerstner
 * & Schwalger 2020, J. Math. Neurosci. 10:5), so the CV says where their assumption holds.
 */
import type { SpikeRecording } from '../model/recording';

export interface IsiStatistics {
  /** CV of the intervals of each trial, its neurons' intervals pooled (NaN below two intervals). */
  trialCv: number[];
  /** Mean and standard error over the trials with a CV (NaN s.e. below two such trials). */
  cv: number;
  se: number;
  /** Intervals counted over every trial. */
  intervals: number;
}

/**
 * The ISI CV of the recorded neurons, counting only intervals that start at or after `from` (s),
 * so that a transient does not enter, and, with `keep`, only the intervals it accepts (e.g. those
 * between population spikes). Intervals are pooled across neurons within a trial: with a
 * homogeneous population this is the CV of the interval distribution the population's neurons
 * share, and the trials are independent samples of it, for the standard error.
 */
export function interspikeIntervalCv(
  spikes: SpikeRecording,
  trials: number,
  from = 0,
  keep?: (trial: number, start: number, end: number) => boolean,
): IsiStatistics {
  // Welford's running mean and sum of squared deviations: a clock's intervals give 0, not rounding noise.
  const mean = new Float64Array(trials);
  const m2 = new Float64Array(trials);
  const count = new Float64Array(trials);
  // The last spike of each (trial, neuron) pair; spikes are in time order within each trial.
  const last = new Map<number, number>();
  const neurons = spikes.neurons.length === 0 ? 1 : Math.max(...spikes.neurons) + 1;
  for (let i = 0; i < spikes.time.length; i++) {
    const t = spikes.time[i];
    if (t < from) continue;
    const trial = spikes.trial[i];
    const key = trial * neurons + spikes.neuron[i];
    const previous = last.get(key);
    last.set(key, t);
    if (previous === undefined || (keep && !keep(trial, previous, t))) continue;
    const isi = t - previous;
    count[trial]++;
    const delta = isi - mean[trial];
    mean[trial] += delta / count[trial];
    m2[trial] += delta * (isi - mean[trial]);
  }
  const trialCv = Array.from({ length: trials }, (_, k) => {
    if (count[k] < 2) return NaN;
    return Math.sqrt(Math.max(0, m2[k]) / (count[k] - 1)) / mean[k];
  });
  const known = trialCv.filter(Number.isFinite);
  const cv = known.length === 0 ? NaN : known.reduce((s, v) => s + v, 0) / known.length;
  const se = known.length < 2 ? NaN : Math.sqrt(known.reduce((s, v) => s + (v - cv) ** 2, 0) / (known.length - 1) / known.length);
  return { trialCv, cv, se, intervals: count.reduce((s, v) => s + v, 0) };
}
