/**
 * The STP models of the scenario format as a table: for each model, how it is named in prose,
 * its parameters (label, unit, what a new projection starts from) and the state variables a run
 * records. The schema (./scenario.ts) says what values are valid; this table is what the
 * validator, the description, the app's form and the compile layer (src/compile/stpModels.ts)
 * read instead of listing a model's parameters again. Adding an STP model: docs/extending.md.
 */
import type { Stp } from './scenario';

export type StpModelName = Stp['model'];

/** Every parameter any STP model has; the names also key per-synapse heterogeneity. */
export const STP_PARAM_KEYS = ['U', 'U0', 'tauD', 'tauF', 'tauIn', 'tauRec'] as const;
export type StpParamKey = (typeof STP_PARAM_KEYS)[number];

export interface StpParamInfo {
  readonly key: StpParamKey;
  /** As printed: "τD". */
  readonly label: string;
  /** A few words for the form ("resting u"). */
  readonly hint?: string;
  /** 's' for time constants, absent for dimensionless parameters. */
  readonly unit?: 's';
  /** The value a projection switched to this model starts from, given the U it had. */
  readonly initial: (U: number) => number;
}

export interface StpModelInfo {
  /** The model in prose, as `mesostp check` describes a projection. */
  readonly description: string;
  readonly params: readonly StpParamInfo[];
  /** Recorded state variables (recording.stp[projection][variable]), in state order. */
  readonly variables: readonly string[];
  /** The resting value of each variable for these parameters (a synapse that has not spiked for long). */
  readonly rest: (p: Readonly<Record<string, number>>) => readonly number[];
}

const U: StpParamInfo = { key: 'U', label: 'U', initial: (u) => u };
/** Markram et al. (1998): depressing synapses recover with τD ≈ 0.8 s. */
const tauD: StpParamInfo = { key: 'tauD', label: 'τD', unit: 's', initial: () => 0.8 };

export const STP_MODEL_INFO: Readonly<Record<StpModelName, StpModelInfo>> = {
  none: { description: 'static', params: [], variables: [], rest: () => [] },
  'tsodyks-markram': {
    description: 'Tsodyks–Markram STP',
    params: [U, { key: 'U0', label: 'U0', hint: 'resting u', initial: (u) => u }, tauD, { key: 'tauF', label: 'τF', unit: 's', initial: () => 0 }],
    variables: ['u', 'x'],
    rest: (p) => [p.U0, 1],
  },
  depression: { description: 'depressing', params: [U, tauD], variables: ['x'], rest: () => [1] },
  'three-state': {
    description: 'three-state depression',
    params: [U, { key: 'tauIn', label: 'τin', unit: 's', initial: () => 0.003 }, { key: 'tauRec', label: 'τrec', unit: 's', initial: () => 0.8 }],
    variables: ['x', 'y', 'z'],
    rest: () => [1, 0, 0],
  },
};

export const STP_MODEL_NAMES = Object.keys(STP_MODEL_INFO) as readonly StpModelName[];

/** The parameter names of a model, in table order. */
export function stpParamNames(model: StpModelName): readonly StpParamKey[] {
  return STP_MODEL_INFO[model].params.map((p) => p.key);
}
