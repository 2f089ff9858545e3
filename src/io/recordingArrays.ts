/**
 * The arrays of a recording as .npy-ready blocks with their shapes and file names: what
 * `mesostp run` writes to disk (./recordingFiles.ts) and the browser app offers for download,
 * so both name and shape every array the same way. No Node imports: the app bundles it.
 *
 * Per-trial arrays have a row per kept trial (Recording.keptTrials: every trial unless
 * record.trials is 'stats'). Each has beside it its statistics over every trial: the per-bin
 * trial mean and M2 (`stats.<key>.mean`, `stats.<key>.m2`, files *_trialmean.npy and
 * *_trialm2.npy, shaped like one trial's array); summary.json gives the trial count (`trials`),
 * so the variance is m2 / (trials − 1), and two runs' files merge exactly by Chan's update.
 */
import type { Recording } from '../model/recording';
import type { TrialStats } from '../model/trialStats';
import type { NpyArray } from './npy';

/** File-name-safe form of a population or projection name ("P->E" → "P_to_E"). */
export function fileStem(name: string): string {
  return name.replace(/->/g, '_to_').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The arrays of a recording with their shapes, keyed by the name used in summary.files. */
export function recordingArrays(rec: Recording): Record<string, { data: NpyArray; shape: number[]; file: string }> {
  const out: Record<string, { data: NpyArray; shape: number[]; file: string }> = {};
  const B = rec.keptTrials;
  // A per-trial array, then its statistics (shaped like one trial's array).
  const add = (key: string, data: NpyArray, shape: number[], stem: string, stats: TrialStats) => {
    out[key] = { data, shape: [B, ...shape], file: `${stem}.npy` };
    out[`stats.${key}.mean`] = { data: stats.mean, shape, file: `${stem}_trialmean.npy` };
    out[`stats.${key}.m2`] = { data: stats.m2, shape, file: `${stem}_trialm2.npy` };
  };
  for (const [pop, a] of Object.entries(rec.activity)) add(`activity.${pop}`, a, [rec.bins], `activity_${fileStem(pop)}`, rec.stats.activity[pop]);
  for (const [pop, r] of Object.entries(rec.inputs)) {
    const s = rec.stats.inputs[pop];
    add(`inputs.${pop}.sampled`, r.sampled, [r.neurons.length, rec.bins], `input_${fileStem(pop)}_sampled`, s.sampled);
    add(`inputs.${pop}.populationMean`, r.populationMean, [rec.bins], `input_${fileStem(pop)}_mean`, s.populationMean);
    out[`inputs.${pop}.neurons`] = { data: r.neurons, shape: [r.neurons.length], file: `input_${fileStem(pop)}_neurons.npy` };
  }
  for (const [proj, vars] of Object.entries(rec.stp)) {
    for (const [v, a] of Object.entries(vars)) add(`stp.${proj}.${v}`, a, [rec.bins], `stp_${fileStem(proj)}_${v}`, rec.stats.stp[proj][v]);
  }
  for (const [pop, s] of Object.entries(rec.spikes)) {
    out[`spikes.${pop}.trial`] = { data: s.trial, shape: [s.trial.length], file: `spikes_${fileStem(pop)}_trial.npy` };
    out[`spikes.${pop}.neuron`] = { data: s.neuron, shape: [s.neuron.length], file: `spikes_${fileStem(pop)}_neuron.npy` };
    out[`spikes.${pop}.time`] = { data: s.time, shape: [s.time.length], file: `spikes_${fileStem(pop)}_time.npy` };
  }
  return out;
}
