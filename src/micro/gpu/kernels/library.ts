/**
 * The WGSL every micro-gpu kernel is composed from, in front of its own file: the model codes
 * of src/compile/codes.ts and the layouts of ../layout.ts as generated constants, the float
 * helpers (common.wgsl), and for the kernels that touch STP the StpParams struct,
 * `stp_var_count` and `stp_params_of`, generated from the one table of STP models
 * (src/compile/stpModels.ts), then stp.wgsl and stpState.wgsl.
 */
import { MODEL_CODES, STP_MODELS, STP_PARAM_KEYS, type StpParamKey } from '../../../compile';
import { wgslConstants, wgslStruct, type WgslPart } from '../../../gpu/wgsl';
import { ACC, CONTROL, PROJECTION_INPUT, SPIKE_RECORD_WORDS, WG } from '../layout';
import commonCode from './common.wgsl?raw';
import stpCode from './stp.wgsl?raw';
import stpStateCode from './stpState.wgsl?raw';
import pulseJumpCode from './pulseJump.wgsl?raw';
import kineticGateCode from './kineticGate.wgsl?raw';

export const MODEL_CODES_WGSL = wgslConstants('model codes (src/compile/codes.ts)', MODEL_CODES);
export const LAYOUT_WGSL = wgslConstants('layouts (src/micro/gpu/layout.ts)', { WG, ...CONTROL, ...ACC, ...PROJECTION_INPUT, SPIKE_RECORD_WORDS });

/** The start of every kernel: codes, layouts, helpers. */
export const ENGINE_WGSL: readonly WgslPart[] = [MODEL_CODES_WGSL, LAYOUT_WGSL, { name: 'kernels/common.wgsl', code: commonCode }];

/** A projection's STP parameters, every model's in one struct (unused ones 0). */
export const StpParams = wgslStruct('StpParams', Object.fromEntries(STP_PARAM_KEYS.map((k) => [k, 'f32'])) as { readonly [K in StpParamKey]: 'f32' });

/** The WGSL name of an STP model code (STP_TM, …). */
export const stpCodeName = (code: number): string => {
  const entry = Object.entries(MODEL_CODES).find(([k, v]) => k.startsWith('STP_') && v === code);
  if (!entry) throw new Error(`STP model code ${code} has no name in MODEL_CODES`);
  return entry[0];
};

const modelsByCode = () => Object.values(STP_MODELS).sort((a, b) => a.code - b.code);

/** `stp_var_count(model)`: how many state variables (rows of the state buffer) a model has. */
export const STP_VAR_COUNT_WGSL: WgslPart = {
  name: 'stp_var_count (generated from src/compile/stpModels.ts)',
  code: [
    'fn stp_var_count(model: u32) -> u32 {',
    ...modelsByCode().map((m) => `  if (model == ${stpCodeName(m.code)}) { return ${m.variables.length}u; }`),
    '  return 0u;',
    '}',
    '',
  ].join('\n'),
};

/** The exact STP updates (stp.wgsl) with the struct they take. */
export const STP_WGSL: readonly WgslPart[] = [StpParams.part, STP_VAR_COUNT_WGSL, { name: 'kernels/stp.wgsl', code: stpCode }];
/** The jump of a step's conductance pulses (`pulse_step`), for applyPulses and the population phases: needs ENGINE_WGSL. */
export const PULSE_JUMP_WGSL: WgslPart = { name: 'kernels/pulseJump.wgsl', code: pulseJumpCode };
/** A kinetic receptor gate's exact step (`gate_step`), for kinetic.wgsl and the arena kernels: needs ENGINE_WGSL. */
export const KINETIC_GATE_WGSL: WgslPart = { name: 'kernels/kineticGate.wgsl', code: kineticGateCode };
/** The lazy state at a spike (`efficacy`): needs STP_WGSL. */
export const STP_STATE_WGSL: WgslPart = { name: 'kernels/stpState.wgsl', code: stpStateCode };

/**
 * `stp_params_of(s)`: the STP parameters of synapse s, its own where they are heterogeneous. They
 * are stored in `syn` after J_s (when the weight is heterogeneous too), one row of nSyn per
 * parameter in the table's order, the order plan.ts uploads them in. The kernel declares the
 * binding `syn`, P.nSyn and P.stp, and the overrides STP, PER_SYNAPSE and HET_WEIGHT.
 */
export const STP_PARAMS_WGSL: WgslPart = {
  name: 'stp_params_of (generated from src/compile/stpModels.ts)',
  code: [
    'fn stp_params_of(s: u32) -> StpParams {',
    '  if (!PER_SYNAPSE) { return P.stp; }',
    '  let o = select(0u, P.nSyn, HET_WEIGHT);',
    '  var p = P.stp;',
    '  ' +
      modelsByCode()
        .filter((m) => m.params.length > 0)
        .map((m) => {
          const rows = m.params.map((k, r) => `    p.${k} = syn[o + ${r === 0 ? '' : r === 1 ? 'P.nSyn + ' : `${r}u * P.nSyn + `}s];`);
          return `if (STP == ${stpCodeName(m.code)}) {\n${rows.join('\n')}\n  }`;
        })
        .join(' else '),
    '  return p;',
    '}',
    '',
  ].join('\n'),
};
