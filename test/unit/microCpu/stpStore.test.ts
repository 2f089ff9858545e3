/** The CPU engine's STP store against the model table it relies on. */
import { describe, expect, it } from 'vitest';
import { STP_MODELS } from '../../../src/compile';
import { DYNAMICS } from '../../../src/micro/cpu/stpStore';

describe('the CPU engine’s STP dynamics', () => {
  it('has an entry for every STP model of the table', () => {
    expect(Object.keys(DYNAMICS).sort()).toEqual(
      Object.keys(STP_MODELS)
        .filter((m) => m !== 'none')
        .sort(),
    );
  });

  it('fills per-synapse parameters in the order the table lists them (the order of the per-synapse rows)', () => {
    for (const [model, dyn] of Object.entries(DYNAMICS)) {
      const params = STP_MODELS[model as keyof typeof STP_MODELS].params;
      const rows = params.map((_, j) => Float64Array.of(-1, 10 + j));
      const q: Record<string, number> = {};
      dyn.fill(q, rows, 1);
      expect(q, model).toEqual(Object.fromEntries(params.map((k, j) => [k, 10 + j])));
    }
  });

  it('reads the variables in the table’s order: a store at rest reads the table’s resting state', () => {
    const p = { U: 0.4, U0: 0.25, tauD: 0.3, tauF: 0.1, tauIn: 0.003, tauRec: 0.5 };
    for (const [model, dyn] of Object.entries(DYNAMICS)) {
      const info = STP_MODELS[model as keyof typeof STP_MODELS];
      const sums = new Float64Array(3);
      dyn.addRelaxed(p, dyn.create(p, 2), dyn.create(p, 1), 1, 0.7, sums);
      expect(Array.from(sums.subarray(0, info.variables.length)), model).toEqual([...info.rest(p)]);
    }
  });
});
