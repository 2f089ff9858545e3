/**
 * Population spikes (docs/validation/plan.md V4): brief synchronous bursts of a population's activity.
 * A_N(t) is smoothed with a boxcar of `smoothBins` bins; an event starts where the smoothed
 * activity rises above `high` (Hz) and ends where it falls below `low` (hysteresis, so one burst
 * is one event); its time is the upward crossing and its amplitude the peak of the smoothed
 * activity in between.
 */
export interface PopulationSpikeOptions {
  binSeconds: number;
  smoothBins?: number;
  high?: number;
  low?: number;
}

export interface PopulationSpikes {
  /** Event times (s) and amplitudes (Hz), per trial. */
  times: number[][];
  amplitudes: number[][];
}

/** Defaults of PopulationSpikeOptions: a 5-bin boxcar, enter above 60 Hz, leave below 20 Hz. */
export const POPULATION_SPIKE_DEFAULTS = { smoothBins: 5, high: 60, low: 20 };

/** Population spikes of each trial of `a` ([trials × bins], Hz): their times and amplitudes. */
export function detectPopulationSpikes(a: ArrayLike<number>, trials: number, bins: number, o: PopulationSpikeOptions): PopulationSpikes {
  const w = o.smoothBins ?? POPULATION_SPIKE_DEFAULTS.smoothBins;
  const high = o.high ?? POPULATION_SPIKE_DEFAULTS.high;
  const low = o.low ?? POPULATION_SPIKE_DEFAULTS.low;
  const times: number[][] = [];
  const amplitudes: number[][] = [];
  for (let t = 0; t < trials; t++) {
    const ts: number[] = [];
    const as: number[] = [];
    let sum = 0;
    let up = false;
    let peak = 0;
    let start = 0;
    for (let k = 0; k < bins; k++) {
      sum += a[t * bins + k];
      if (k >= w) sum -= a[t * bins + k - w];
      // A centred boxcar: the value at bin k − ⌊w/2⌋ once w bins are in.
      if (k < w - 1) continue;
      const s = sum / w;
      const at = k - Math.floor(w / 2);
      if (!up && s > high) {
        up = true;
        peak = s;
        start = at;
      } else if (up) {
        if (s > peak) peak = s;
        if (s < low) {
          up = false;
          ts.push(start * o.binSeconds);
          as.push(peak);
        }
      }
    }
    times.push(ts);
    amplitudes.push(as);
  }
  return { times, amplitudes };
}
