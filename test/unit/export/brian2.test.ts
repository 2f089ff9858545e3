/**
 * `mesostp export brian2` without running Brian2 (test/peers runs the scripts): the exported
 * synapse lists and per-synapse parameters are the very ones the micro engines draw, constants
 * reach the script at full precision, and what the export cannot express is refused with the
 * field named.
 */
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../../src/compile';
import { trialConnectivity } from '../../../src/compile/projection';
import { Brian2ExportError, exportBrian2 } from '../../../src/export/brian2';
import { parseScenario } from '../../../src/model/validate';
import { glif } from '../../support/populations';

function scenario(projections: unknown[], run: Record<string, unknown> = {}) {
  return parseScenario({
    name: 'export-test',
    populations: { P: { model: 'poisson', N: 60, rate: { type: 'constant', value: 12 } }, E: glif(40, 10) },
    projections,
    run: { dt: 0.0001, duration: 0.01, trials: 3, seed: 11, ...run },
    record: { stp: true, inputs: [{ population: 'E', neurons: 2 }] },
  });
}

const tm = { model: 'tsodyks-markram', U: 0.2, U0: 0.2, tauD: 0.3, tauF: 0.1 };
const exp5 = { type: 'exponential', tau: 0.005 };

/** (pre, post) pairs of a CSR, in the order a spike walks them. */
function pairs(rowStart: Int32Array, targets: Int32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j + 1 < rowStart.length; j++) for (let q = rowStart[j]; q < rowStart[j + 1]; q++) out.push([j, targets[q]]);
  return out;
}

describe('exportBrian2', () => {
  it('writes the synapse lists and per-synapse parameters the micro engines draw', () => {
    const s = scenario([
      {
        from: 'P',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 7 },
        weight: 0.5,
        delay: 0.001,
        filter: exp5,
        stp: tm,
        heterogeneity: { weight: { distribution: 'lognormal', cv: 0.2 }, tauD: { distribution: 'normal', sd: 0.05 } },
      },
      { from: 'E', to: 'E', connectivity: { type: 'fixed-probability', p: 0.2, perTrial: true }, weight: 0.3, delay: 0.0005, filter: exp5 },
    ]);
    const { data } = exportBrian2(s);
    const net = compileNetwork(s, { engine: 'micro-cpu' });
    const p0 = net.projections[0];
    const listed = Array.from(data.p0_pre.data, (pre, q) => [pre, data.p0_post.data[q]]);
    expect(listed).toEqual(pairs(p0.csr.rowStart, p0.csr.targets));
    expect(Array.from(data.p0_weight.data)).toEqual(Array.from(p0.synWeight!));
    expect(Array.from(data.p0_tauD.data)).toEqual(Array.from(p0.synStp.tauD!));
    expect(data.p0_counts).toBeUndefined();
    // One network per trial: every trial's list, in trial order, with the count of each.
    const p1 = net.projections[1];
    const perTrial = [0, 1, 2].map((b) => trialConnectivity(p1, b));
    expect(Array.from(data.p1_counts.data)).toEqual(perTrial.map((c) => c.targets.length));
    const all = perTrial.flatMap((c) => pairs(c.rowStart, c.targets));
    expect(Array.from(data.p1_pre.data, (pre, q) => [pre, data.p1_post.data[q]])).toEqual(all);
  });

  it('puts constants into the script at full precision, and tables for time-varying drives', () => {
    const s = parseScenario({
      name: 'constants',
      populations: {
        P: { model: 'poisson', N: 10, rate: { type: 'steps', times: [0.005], values: [3, 30] } },
        E: glif(5, 10, { mu: { type: 'sinusoid', offset: 10, amplitude: 2, frequency: 5 }, tauM: 0.0123456789012345 }),
      },
      projections: [{ from: 'P', to: 'E', connectivity: { type: 'all-to-all' }, weight: 0.1, delay: 0.0002, filter: { type: 'alpha', tau: 0.003 } }],
      run: { dt: 0.0001, duration: 0.01 },
    });
    const { script, data } = exportBrian2(s);
    expect(script).toContain('0.0123456789012345*second');
    expect(script).toMatch(/^STEPS = 100$/m);
    expect(script).toMatch(/^DT = 0\.0001 {2}# s$/m);
    // The rate table holds P(spike) = 1 − e^{−r dt} of every step; the switch at 5 ms is step 50.
    const rate = data.ta_rate_P.data;
    expect(rate.length).toBe(100);
    expect(rate[49]).toBe(-Math.expm1(-3 * 0.0001));
    expect(rate[50]).toBe(-Math.expm1(-30 * 0.0001));
    expect(data.ta_mu_E.data[25]).toBeCloseTo(10 + 2 * Math.sin(2 * Math.PI * 5 * 0.0025), 14);
    // Alpha = two stages with the same τ; a delay of 2 steps is a Brian2 delay of 1 step.
    expect(script).toContain('ds1_p0/dt = -s1_p0/(0.003*second) + s0_p0/second : 1');
    expect(script).toContain('delay=1*DT*b2.second');
  });

  it('refuses what it cannot express, naming the field', () => {
    const refused = (projections: unknown[], run: Record<string, unknown> = {}, opts = {}) => {
      try {
        exportBrian2(scenario(projections, run), opts);
      } catch (error) {
        expect(error).toBeInstanceOf(Brian2ExportError);
        return (error as Brian2ExportError).path;
      }
      return null;
    };
    const base = { from: 'P', to: 'E', connectivity: { type: 'fixed-indegree', C: 5 }, weight: 0.5, delay: 0.001 };
    expect(refused([{ ...base, filter: { type: 'delta' }, output: { type: 'conductance', E: 60 } }])).toBe('projections[0].filter');
    expect(
      refused([
        {
          ...base,
          filter: exp5,
          stp: { model: 'three-state', U: 0.3, tauIn: 0.003, tauRec: 0.5 },
          heterogeneity: { tauIn: { distribution: 'normal', sd: 0.001 } },
        },
      ]),
    ).toBe('projections[0].heterogeneity.tauIn');
    const kinetic = { type: 'kinetic', receptor: 'AMPA' };
    const cond = { type: 'conductance', E: 60 };
    expect(refused([{ ...base, filter: kinetic, output: cond, stp: tm, heterogeneity: { U: { distribution: 'uniform', halfWidth: 0.05 } } }])).toBe(
      'projections[0].heterogeneity',
    );
    expect(refused([{ ...base, filter: { ...kinetic, pulseDuration: 0.00105 }, output: cond }])).toBe('projections[0].filter.pulseDuration');
    expect(refused([{ ...base, filter: { type: 'exponential', tau: 0.02 } }], { integration: 'exact' })).toBe('projections[0].filter');
    expect(refused([{ ...base, filter: exp5, output: cond }], {}, { integration: 'exact' })).toBe('run.integration');
    // The same network with a kinetic receptor of whole-step pulses and homogeneous STP is written.
    expect(refused([{ ...base, filter: kinetic, output: cond, stp: tm, heterogeneity: { weight: { distribution: 'uniform', halfWidth: 0.1 } } }])).toBeNull();
  });
});
