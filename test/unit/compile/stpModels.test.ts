/**
 * The one table of STP models against what it summarises: the schema's parameters, the
 * synapse functions' state arrays, and the codes shared with WGSL.
 */
import { describe, expect, it } from 'vitest';
import { compileStp, MODEL_CODES, STP_MODELS, stpModelName, stpVariables } from '../../../src/compile';
import { StpSchema } from '../../../src/model/scenario';
import { STP_MODEL_INFO, STP_MODEL_NAMES, stpParamNames } from '../../../src/model/stpModels';
import { createDepressionState } from '../../../src/synapse/stpDepression';
import { createThreeStateState } from '../../../src/synapse/stpThreeState';
import { createTmState } from '../../../src/synapse/stpTsodyksMarkram';

describe('the STP model table', () => {
  it('has one entry per model of the schema, listing exactly its parameters', () => {
    const schemaModels = StpSchema.options.map((o) => o.shape.model.value);
    expect([...STP_MODEL_NAMES].sort()).toEqual([...schemaModels].sort());
    for (const option of StpSchema.options) {
      const model = option.shape.model.value;
      const fields = Object.keys(option.shape).filter((k) => k !== 'model');
      expect([...stpParamNames(model)].sort(), model).toEqual(fields.sort());
    }
  });

  it('names the state arrays of the synapse functions as its recorded variables', () => {
    const tm = createTmState({ U: 0.5, U0: 0.5, tauD: 0.1, tauF: 0 }, 1);
    const states: Record<string, object> = { 'tsodyks-markram': tm, depression: createDepressionState(1), 'three-state': createThreeStateState(1) };
    for (const [model, state] of Object.entries(states)) {
      const arrays = Object.keys(state).filter((k) => k !== 'tLast');
      expect([...STP_MODEL_INFO[model as keyof typeof STP_MODEL_INFO].variables].sort(), model).toEqual(arrays.sort());
    }
  });

  it('gives the resting state the synapse functions start from', () => {
    const p = { U: 0.5, U0: 0.3, tauD: 0.1, tauF: 0.2, tauIn: 0.003, tauRec: 0.8 };
    const states: Record<string, Record<string, Float64Array>> = {
      'tsodyks-markram': createTmState(p, 1) as never,
      depression: createDepressionState(1) as never,
      'three-state': createThreeStateState(1) as never,
    };
    for (const [model, state] of Object.entries(states)) {
      const info = STP_MODEL_INFO[model as keyof typeof STP_MODEL_INFO];
      expect(info.rest(p), model).toEqual(info.variables.map((v) => state[v][0]));
    }
    expect(STP_MODEL_INFO['tsodyks-markram'].rest(p)).toEqual([0.3, 1]);
  });

  it('gives every model a distinct code that round-trips, equal to the shared model codes', () => {
    const codes = Object.values(STP_MODELS).map((m) => m.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const name of STP_MODEL_NAMES) expect(stpModelName(STP_MODELS[name].code)).toBe(name);
    expect(STP_MODELS['tsodyks-markram'].code).toBe(MODEL_CODES.STP_TM);
    expect(STP_MODELS.depression.code).toBe(MODEL_CODES.STP_DEPRESSION);
    expect(STP_MODELS['three-state'].code).toBe(MODEL_CODES.STP_THREE_STATE);
    expect(STP_MODELS.none.code).toBe(MODEL_CODES.STP_NONE);
    expect(stpVariables(MODEL_CODES.STP_TM)).toEqual(['u', 'x']);
    expect(() => stpModelName(99)).toThrow(/unknown STP model code 99/);
  });

  it('compiles a scenario entry to exactly its model’s parameters', () => {
    expect(compileStp({ model: 'depression', U: 0.3, tauD: 0.5 })).toEqual({ model: 'depression', params: { U: 0.3, tauD: 0.5 } });
    expect(compileStp({ model: 'tsodyks-markram', U: 0.2, U0: 0, tauD: 0.1, tauF: 0.5 })).toEqual({
      model: 'tsodyks-markram',
      params: { U: 0.2, U0: 0, tauD: 0.1, tauF: 0.5 },
    });
    expect(compileStp({ model: 'none' })).toEqual({ model: 'none' });
  });
});
