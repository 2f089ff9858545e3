/**
 * The summary every `mesostp run` writes (summary.json), the same keys at every level so any
 * two levels compare directly. Uncertainties are standard errors across trials; with a
 * single trial, across 10 consecutive blocks of time (batch means), which assumes the
 * blocks are longer than the correlation time. Everything is computed from the recording's
 * statistics (Recording.stats), so it is the same whether the run kept every trial's arrays or
 * only the statistics (record.trials 'stats').
 */
import type { Recording, Samples } from '../model/recording';
import { stepCount } from '../model/recording';
import { runAverage, trialVariance, type TrialStats } from '../model/trialStats';

export interface MeanWithSem {
  mean: number;
  sem: number | null;
}

export interface RunSummary {
  scenario: string;
  level: string;
  trials: number;
  dt: number;
  duration: number;
  /** Simulated time every trial completed (less than duration if cancelled). */
  completedDuration: number;
  cancelled: boolean;
  seed: number;
  wallSeconds: number;
  /** record.trials, and the trials whose arrays (and spikes) the files hold: all of them unless 'stats'. */
  record: { trials: 'all' | 'stats'; keptTrials: number };
  populations: Record<string, { rateHz: number; rateHzSem: number | null }>;
  inputs: Record<string, { mean: number; sd: number; meanSem: number | null; populationMean: { mean: number; sd: number; meanSem: number | null } }>;
  /** Time-averaged trial mean of each STP variable, and its standard error. */
  stp: Record<string, Record<string, number>>;
  stpSem: Record<string, Record<string, number | null>>;
  engine: Record<string, unknown>;
  files: Record<string, string>;
}

/** Mean over everything and its standard error from per-trial (or per-block) means. */
export function meanAndSem(values: Samples, trials: number, perTrial: number): MeanWithSem {
  if (perTrial === 0 || trials === 0) return { mean: NaN, sem: null };
  const groups: number[] = [];
  if (trials >= 2) {
    for (let k = 0; k < trials; k++) {
      let s = 0;
      for (let i = 0; i < perTrial; i++) s += values[k * perTrial + i];
      groups.push(s / perTrial);
    }
  } else {
    const blocks = Math.min(10, perTrial);
    const size = Math.floor(perTrial / blocks);
    for (let b = 0; b < blocks; b++) {
      let s = 0;
      for (let i = b * size; i < (b + 1) * size; i++) s += values[i];
      groups.push(s / size);
    }
  }
  const mean = groups.reduce((a, b) => a + b, 0) / groups.length;
  if (groups.length < 2) return { mean, sem: null };
  const variance = groups.reduce((a, g) => a + (g - mean) ** 2, 0) / (groups.length - 1);
  return { mean, sem: Math.sqrt(variance / groups.length) };
}

/**
 * Time averages of the across-trial mean and standard deviation of a [trials × series × bins]
 * array (series = neurons): averaged over bins and series.
 */
export function acrossTrialStats(values: Samples, trials: number, series: number, bins: number): { mean: number; sd: number } {
  if (bins === 0 || series === 0) return { mean: NaN, sd: NaN };
  let sumMean = 0;
  let sumSd = 0;
  for (let j = 0; j < series; j++) {
    for (let b = 0; b < bins; b++) {
      let s = 0;
      for (let k = 0; k < trials; k++) s += values[(k * series + j) * bins + b];
      const m = s / trials;
      let v = 0;
      for (let k = 0; k < trials; k++) v += (values[(k * series + j) * bins + b] - m) ** 2;
      sumMean += m;
      sumSd += trials > 1 ? Math.sqrt(v / (trials - 1)) : 0;
    }
  }
  return { mean: sumMean / (series * bins), sd: trials > 1 ? sumSd / (series * bins) : NaN };
}

/**
 * The time average of a quantity's trial mean and its standard error: across trials from the
 * trials' own averages, or for a single trial from blocks of its series (which, over one trial,
 * is the statistics' mean).
 */
export function statsMeanAndSem(s: TrialStats): MeanWithSem {
  if (s.count === 1) return meanAndSem(s.mean, 1, s.rows * s.bins);
  return runAverage(s);
}

/** The time averages of the per-bin trial mean and trial s.d. (NaN below two trials), over bins and rows. */
export function statsMeanAndSd(s: TrialStats): { mean: number; sd: number } {
  const n = s.mean.length;
  if (n === 0 || s.count === 0) return { mean: NaN, sd: NaN };
  let mean = 0;
  let sd = 0;
  for (let i = 0; i < n; i++) {
    mean += s.mean[i];
    if (s.count > 1) sd += Math.sqrt(trialVariance(s, i));
  }
  return { mean: mean / n, sd: s.count > 1 ? sd / n : NaN };
}

/** The summary.json of a recording (`files`: the file of each array, keyed as recordingArrays names them). */
export function summarize(rec: Recording, files: Record<string, string>): RunSummary {
  const populations: RunSummary['populations'] = {};
  for (const [name, s] of Object.entries(rec.stats.activity)) {
    const m = statsMeanAndSem(s);
    populations[name] = { rateHz: m.mean, rateHzSem: m.sem };
  }
  const inputs: RunSummary['inputs'] = {};
  for (const [name, r] of Object.entries(rec.stats.inputs)) {
    inputs[name] = {
      ...statsMeanAndSd(r.sampled),
      meanSem: statsMeanAndSem(r.sampled).sem,
      populationMean: { ...statsMeanAndSd(r.populationMean), meanSem: statsMeanAndSem(r.populationMean).sem },
    };
  }
  const stp: RunSummary['stp'] = {};
  const stpSem: RunSummary['stpSem'] = {};
  for (const [proj, vars] of Object.entries(rec.stats.stp)) {
    stp[proj] = {};
    stpSem[proj] = {};
    for (const [v, s] of Object.entries(vars)) {
      stp[proj][v] = statsMeanAndSd(s).mean;
      stpSem[proj][v] = statsMeanAndSem(s).sem;
    }
  }
  return {
    scenario: rec.scenario.name,
    level: rec.level,
    trials: rec.trials,
    dt: rec.dt,
    duration: stepCount(rec.scenario) * rec.dt,
    completedDuration: rec.completedSteps * rec.dt,
    cancelled: rec.cancelled,
    seed: rec.scenario.run.seed,
    wallSeconds: rec.wallSeconds,
    record: { trials: rec.scenario.record.trials, keptTrials: rec.keptTrials },
    populations,
    inputs,
    stp,
    stpSem,
    engine: rec.engine,
    files,
  };
}
