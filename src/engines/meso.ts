/**
 * meso and macro: the population equations with the STP mean-field (src/meso, docs/meso.md), at
 * finite N (meso: finite-size noise from binomial draws) and in the N → ∞ limit (macro,
 * deterministic). One engine in the code, two levels here.
 */
import { unsupportedFeatures } from '../compile/support';
import { simulateMesoAsync, STP_MEAN_FIELD_DEFAULT } from '../meso';
import { runOnThreads, threadCount, threadsOption } from './threads';
import type { EngineDef, OptionSpec } from './types';

export const stp: OptionSpec = {
  name: 'stp',
  metavar: 'MODE',
  description:
    'STP mean-field: age-resolved (the default, the most accurate where neurons fire regularly), or the first or second order of Schmutz et al. 2020 (docs/meso.md)',
  values: ['mf1', 'mf2', 'age'],
  default: STP_MEAN_FIELD_DEFAULT,
  what: 'a mean-field order',
};

export const moments: OptionSpec = {
  name: 'moments',
  metavar: 'M',
  description: 'the activity that drives the STP second moments',
  values: ['expected', 'realised'],
  default: 'expected',
};

export const meso = {
  id: 'meso',
  label: 'meso',
  description: 'mesoscopic population equations at finite N (finite-size noise), STP by mean-field',
  color: '#D55E00',
  capabilities: { gpu: false, stochastic: true, threads: true, batches: false, browserWorker: true },
  options: [stp, moments, threadsOption],
  unsupported: (scenario) => unsupportedFeatures('meso', scenario),
  async run(scenario, options, ctx) {
    const threads = await threadCount(options.threads, scenario, ctx);
    if (threads > 1) return runOnThreads(scenario, { engine: 'meso', options: { level: 'meso', stp: options.stp, moments: options.moments } }, threads, ctx);
    return simulateMesoAsync(scenario, {
      level: 'meso',
      stp: options.stp,
      moments: options.moments,
      onProgress: ctx.onProgress,
      signal: ctx.signal,
      chunkSteps: ctx.chunkSteps,
      maxTrialsPerBatch: ctx.maxTrialsPerBatch,
      trialRange: ctx.trialRange,
    });
  },
} as const satisfies EngineDef<'meso'>;

export const macro = {
  id: 'macro',
  label: 'macro (N → ∞)',
  description: 'the N → ∞ limit of the population equations: deterministic, no finite-size noise',
  color: '#E69F00',
  capabilities: { gpu: false, stochastic: false, threads: false, batches: false, browserWorker: true },
  options: [stp],
  unsupported: (scenario) => unsupportedFeatures('macro', scenario),
  async run(scenario, options, ctx) {
    return simulateMesoAsync(scenario, {
      level: 'macro',
      stp: options.stp,
      onProgress: ctx.onProgress,
      signal: ctx.signal,
      chunkSteps: ctx.chunkSteps,
      maxTrialsPerBatch: ctx.maxTrialsPerBatch,
      trialRange: ctx.trialRange,
    });
  },
} as const satisfies EngineDef<'macro'>;
