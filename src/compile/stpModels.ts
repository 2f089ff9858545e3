/**
 * The STP models as the engines take them: the model table of src/model/stpModels.ts (names,
 * parameters, recorded variables) with each model's number code, and the scenario's STP entry
 * reduced to exactly its model's parameters. The parameter order is the order the GPU engine
 * uploads per-synapse values in.
 */
import type { Stp } from '../model/scenario';
import { STP_MODEL_INFO, type StpModelName, type StpParamKey } from '../model/stpModels';
import type { DepressionParams } from '../synapse/stpDepression';
import type { ThreeStateParams } from '../synapse/stpThreeState';
import type { TmParams } from '../synapse/stpTsodyksMarkram';
import { STP_DEPRESSION, STP_NONE, STP_THREE_STATE, STP_TM } from './codes';

export { STP_PARAM_KEYS, type StpModelName, type StpParamKey } from '../model/stpModels';

/** A projection's STP model with its parameters, as the engines take it. */
export type StpKind =
  | { readonly model: 'none' }
  | { readonly model: 'depression'; readonly params: DepressionParams }
  | { readonly model: 'tsodyks-markram'; readonly params: TmParams }
  | { readonly model: 'three-state'; readonly params: ThreeStateParams };

export interface CompiledStpModel {
  readonly code: number;
  /** The parameters of the model, in upload order. */
  readonly params: readonly StpParamKey[];
  /** Recorded state variables (recording.stp[projection][variable]), in state-buffer order. */
  readonly variables: readonly string[];
  /** Resting value of each variable for these parameters. */
  readonly rest: (p: Readonly<Record<string, number>>) => readonly number[];
}

const CODES: Readonly<Record<StpModelName, number>> = { none: STP_NONE, 'tsodyks-markram': STP_TM, depression: STP_DEPRESSION, 'three-state': STP_THREE_STATE };

export const STP_MODELS: Readonly<Record<StpModelName, CompiledStpModel>> = Object.fromEntries(
  (Object.keys(STP_MODEL_INFO) as StpModelName[]).map((m) => [
    m,
    { code: CODES[m], params: STP_MODEL_INFO[m].params.map((p) => p.key), variables: STP_MODEL_INFO[m].variables, rest: STP_MODEL_INFO[m].rest },
  ]),
) as unknown as Record<StpModelName, CompiledStpModel>;

const BY_CODE: readonly StpModelName[] = (Object.keys(STP_MODELS) as StpModelName[]).sort((a, b) => STP_MODELS[a].code - STP_MODELS[b].code);

/** The model name of a number code. */
export function stpModelName(code: number): StpModelName {
  const name = BY_CODE[code];
  if (name === undefined || STP_MODELS[name].code !== code) throw new Error(`unknown STP model code ${code}`);
  return name;
}

/** The recorded variables of a model code. */
export function stpVariables(code: number): readonly string[] {
  return STP_MODELS[stpModelName(code)].variables;
}

/** The scenario's STP entry as the engines take it: its model and exactly that model's parameters. */
export function compileStp(stp: Stp): StpKind {
  if (stp.model === 'none') return { model: 'none' };
  const params: Record<string, number> = {};
  const source = stp as unknown as Record<StpParamKey, number>;
  for (const k of STP_MODELS[stp.model].params) params[k] = source[k];
  return { model: stp.model, params } as unknown as StpKind;
}

/** The parameters of a compiled STP entry (empty for none), by name. */
export function stpParams(kind: StpKind): Partial<Record<StpParamKey, number>> {
  return kind.model === 'none' ? {} : (kind.params as Partial<Record<StpParamKey, number>>);
}
