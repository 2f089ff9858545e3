/**
 * The experiments `mesostp validate` knows, each with its report layout, its sets, its sizes and
 * how to run one set. V1 (one synapse against exact results) is covered by the unit tests.
 */
import type { GpuContext } from '../gpu/device';
import type { VariantId } from '../engines';
import type { Progress } from '../model/recording';
import type { ReportSpec, SetResult } from './report';
import { runV2Set, V2_REPORT, V2_SETS, V2_SIZES, V2_VARIANTS } from './v2';
import { runV3Set, type V3Case, V3_CASE, V3_SIZES, V3_VARIANTS, V3B_CASE } from './v3';
import { runV4Set, V4_REPORT, V4_SIZES, V4_VARIANTS, V4B_CASE, V4B_REPORT } from './v4';
import { runV5Set, V5_REPORT, V5_SETS, V5_SIZES, V5_VARIANTS } from './v5';
import { runV6Set, V6_QUICK_SETS, V6_REPORT, V6_SETS, V6_SIZES, V6_VARIANTS } from './v6';
import { runV7Set, V7_QUICK_SETS, V7_REPORT, V7_SETS, V7_SIZES, V7_VARIANTS } from './v7';

export interface RunContext {
  gpu: GpuContext;
  onProgress?: (stage: string, p: Progress) => void;
  signal?: AbortSignal;
}

export interface Experiment {
  name: string;
  summary: string;
  report: ReportSpec;
  /** The registry variants it runs, the reference first. */
  variants: readonly VariantId[];
  sizes: Record<'quick' | 'full', Record<string, number>>;
  sets: string[];
  /** The sets `--quick` runs (default: all). */
  quickSets?: string[];
  runSet(set: string, sizes: Record<string, number>, ctx: RunContext): Promise<SetResult>;
}

/** The sizes `--trials G,C,M` sets, in order; an experiment without one of the levels has no such size and ignores it. */
export const TRIAL_KEYS = ['gpuTrials', 'cpuTrials', 'mesoTrials'] as const;

/** `sets` and `runSet` of an experiment whose sets are named objects, each run by `run`. */
function namedSets<S extends { name: string }>(
  sets: readonly S[],
  run: (set: S, o: RunContext & { sizes: never }) => Promise<SetResult>,
): Pick<Experiment, 'sets' | 'runSet'> {
  return { sets: sets.map((x) => x.name), runSet: (name, sizes, ctx) => run(sets.find((x) => x.name === name)!, { ...ctx, sizes: sizes as never }) };
}

/** V3's or V3b's report, runs and sets: one code for both, the case says what differs. */
function upDownExperiment(c: V3Case): Pick<Experiment, 'report' | 'variants' | 'sizes' | 'sets' | 'runSet' | 'quickSets'> {
  return { report: c.report, variants: V3_VARIANTS, sizes: V3_SIZES, ...namedSets(c.sets, (set, o) => runV3Set(set, o, c)), quickSets: c.quickSets };
}

export const EXPERIMENTS: readonly Experiment[] = [
  {
    name: 'v2',
    summary: 'feedforward STP: micro (GPU reference, CPU witness) against meso MF2 and MF1, depressing and facilitating synapses',
    report: V2_REPORT,
    variants: V2_VARIANTS,
    sizes: V2_SIZES,
    ...namedSets(V2_SETS, runV2Set),
  },
  {
    name: 'v3',
    summary:
      'Up and Down states of a bistable network with depressing synapses at several N: dwell times and state activities, micro against meso (MF2, age-resolved, MF1)',
    ...upDownExperiment(V3_CASE),
  },
  {
    name: 'v3b',
    summary:
      "V3's network with irregularly firing neurons (no refractoriness, soft threshold), the regime MF1 and MF2 are derived for: noise-driven bursts out of a Down state, dwell times and state activities at several N, micro against meso (MF2 judged)",
    ...upDownExperiment(V3B_CASE),
  },
  {
    name: 'v4',
    summary: 'population spikes in an E–I network with depressing synapses: event rate, amplitude and intervals, micro against meso (age-resolved, MF2, MF1)',
    report: V4_REPORT,
    variants: V4_VARIANTS,
    sizes: V4_SIZES,
    sets: ['population spikes'],
    runSet: (_name, sizes, ctx) => runV4Set({ ...ctx, sizes: sizes as never }),
  },
  {
    name: 'v4b',
    summary:
      "population spikes of V4's network with irregularly firing neurons (τm = 2 ms), the regime MF1 and MF2 are derived for: event rate, amplitude and intervals, micro against meso (MF2 judged)",
    report: V4B_REPORT,
    variants: V4_VARIANTS,
    sizes: V4_SIZES,
    sets: [V4B_CASE.set],
    runSet: (_name, sizes, ctx) => runV4Set({ ...ctx, sizes: sizes as never }, V4B_CASE),
  },
  {
    name: 'v5',
    summary: 'static synapses: stationary rates and the PSD of the population activity, micro against meso and macro',
    report: V5_REPORT,
    variants: V5_VARIANTS,
    sizes: V5_SIZES,
    ...namedSets(V5_SETS, runV5Set),
  },
  {
    name: 'v6',
    summary:
      'scale and cost: one scenario at N = 200 … 100 000, wall time per simulated second of every engine and the accuracy of meso and macro against micro',
    report: V6_REPORT,
    variants: V6_VARIANTS,
    sizes: V6_SIZES,
    ...namedSets(V6_SETS, runV6Set),
    quickSets: V6_QUICK_SETS,
  },
  {
    name: 'v7',
    summary:
      'validity map: MF1, MF2 and the age-resolved mean-field against micro across refractoriness, escape noise and drive, their rate and input s.d. errors against the ISI CV',
    report: V7_REPORT,
    variants: V7_VARIANTS,
    sizes: V7_SIZES,
    ...namedSets(V7_SETS, runV7Set),
    quickSets: V7_QUICK_SETS,
  },
];
