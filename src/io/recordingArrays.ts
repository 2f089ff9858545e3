/**
 * The arrays of a recording as .npy-ready blocks with their shapes and file names: what
 * `mesostp run` writes to disk (./recordingFiles.ts) and the browser app offers for download,
 * so both name and shape every array the same way. No Node imports: the app bundles it.
 */
import type { Recording } from '../model/recording';
import type { NpyArray } from './npy';

/** File-name-safe form of a population or projection name ("P->E" → "P_to_E"). */
export function fileStem(name: string): string {
  return name.replace(/->/g, '_to_').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The arrays of a recording with their shapes, keyed by the name used in summary.files. */
export function recordingArrays(rec: Recording): Record<string, { data: NpyArray; shape: number[]; file: string }> {
  const out: Record<string, { data: NpyArray; shape: number[]; file: string }> = {};
  const B = rec.trials;
  for (const [pop, a] of Object.entries(rec.activity)) out[`activity.${pop}`] = { data: a, shape: [B, rec.bins], file: `activity_${fileStem(pop)}.npy` };
  for (const [pop, r] of Object.entries(rec.inputs)) {
    out[`inputs.${pop}.sampled`] = { data: r.sampled, shape: [B, r.neurons.length, rec.bins], file: `input_${fileStem(pop)}_sampled.npy` };
    out[`inputs.${pop}.populationMean`] = { data: r.populationMean, shape: [B, rec.bins], file: `input_${fileStem(pop)}_mean.npy` };
    out[`inputs.${pop}.neurons`] = { data: r.neurons, shape: [r.neurons.length], file: `input_${fileStem(pop)}_neurons.npy` };
  }
  for (const [proj, vars] of Object.entries(rec.stp)) {
    for (const [v, a] of Object.entries(vars)) out[`stp.${proj}.${v}`] = { data: a, shape: [B, rec.bins], file: `stp_${fileStem(proj)}_${v}.npy` };
  }
  for (const [pop, s] of Object.entries(rec.spikes)) {
    out[`spikes.${pop}.trial`] = { data: s.trial, shape: [s.trial.length], file: `spikes_${fileStem(pop)}_trial.npy` };
    out[`spikes.${pop}.neuron`] = { data: s.neuron, shape: [s.neuron.length], file: `spikes_${fileStem(pop)}_neuron.npy` };
    out[`spikes.${pop}.time`] = { data: s.time, shape: [s.time.length], file: `spikes_${fileStem(pop)}_time.npy` };
  }
  return out;
}
