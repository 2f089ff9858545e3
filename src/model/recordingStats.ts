/**
 * The statistics of a Recording's per-trial arrays (./trialStats.ts), and a recording cut down to
 * the trials record.trials 'stats' keeps: what an engine that held a range's arrays anyway (the
 * CPU engines, the GPU engine in 'all' mode) turns each range into before the next one.
 */
import type { Recording, RecordingStats } from './recording';
import { statsFromTrials } from './trialStats';

/** The statistics of every per-trial array of `r`, which must hold every one of its trials. */
export function statsFromArrays(r: Pick<Recording, 'trials' | 'bins' | 'activity' | 'inputs' | 'stp'>): RecordingStats {
  const T = r.trials;
  const stats: RecordingStats = { activity: {}, inputs: {}, stp: {} };
  for (const [name, a] of Object.entries(r.activity)) stats.activity[name] = statsFromTrials(a, T, 1, r.bins);
  for (const [name, i] of Object.entries(r.inputs))
    stats.inputs[name] = { sampled: statsFromTrials(i.sampled, T, i.neurons.length, r.bins), populationMean: statsFromTrials(i.populationMean, T, 1, r.bins) };
  for (const [proj, vars] of Object.entries(r.stp)) {
    stats.stp[proj] = {};
    for (const [v, a] of Object.entries(vars)) stats.stp[proj][v] = statsFromTrials(a, T, 1, r.bins);
  }
  return stats;
}

/**
 * `r` with the arrays and spikes of its first `keep` trials only (keptTrials = min(keep, what it
 * held)); the statistics stay those of every trial. The arrays kept are copies, so that the
 * dropped trials' memory can be freed.
 */
export function keepLeadingTrials(r: Recording, keep: number): Recording {
  const k = Math.max(0, Math.min(Math.floor(keep), r.keptTrials));
  if (k === r.keptTrials) return r;
  const rows = (a: Recording['activity'][string], perTrial: number) => a.slice(0, k * perTrial * r.bins);
  const activity: Recording['activity'] = {};
  for (const [name, a] of Object.entries(r.activity)) activity[name] = rows(a, 1);
  const inputs: Recording['inputs'] = {};
  for (const [name, i] of Object.entries(r.inputs))
    inputs[name] = { neurons: i.neurons, sampled: rows(i.sampled, i.neurons.length), populationMean: rows(i.populationMean, 1) };
  const stp: Recording['stp'] = {};
  for (const [proj, vars] of Object.entries(r.stp)) {
    stp[proj] = {};
    for (const [v, a] of Object.entries(vars)) stp[proj][v] = rows(a, 1);
  }
  const spikes: Recording['spikes'] = {};
  for (const [name, s] of Object.entries(r.spikes)) {
    // Entries are ordered by trial: the kept trials' spikes are a prefix.
    let n = 0;
    while (n < s.trial.length && s.trial[n] < k) n++;
    spikes[name] = { neurons: s.neurons, trial: s.trial.slice(0, n), neuron: s.neuron.slice(0, n), time: s.time.slice(0, n) };
  }
  return { ...r, keptTrials: k, activity, inputs, stp, spikes };
}

/** How many of the trials [from, to) of a run are kept under its record settings. */
export function keptInRange(record: { trials: 'all' | 'stats'; keepTrials: number }, from: number, to: number): number {
  if (record.trials === 'all') return to - from;
  return Math.max(0, Math.min(to, record.keepTrials) - from);
}
