import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeScenario, formatIssue, validateScenario, type ScenarioInput } from '../../../src/model';

function base(): ScenarioInput {
  return {
    name: 't',
    populations: {
      P: { model: 'poisson', N: 100, rate: { type: 'constant', value: 10 } },
      E: { model: 'glif', N: 20, tauM: 0.02, mu: { type: 'constant', value: 10 }, uReset: 0, tRef: 0.002, c: 10, deltaU: 2, uTh: 15 },
    },
    projections: [
      {
        from: 'P',
        to: 'E',
        connectivity: { type: 'fixed-indegree', C: 10 },
        weight: 0.5,
        delay: 0.001,
        filter: { type: 'exponential', tau: 0.005 },
        stp: { model: 'tsodyks-markram', U: 0.5, U0: 0.5, tauD: 0.5, tauF: 0 },
      },
    ],
    run: { dt: 0.0005, duration: 1, trials: 2, seed: 3 },
  };
}

/** Applies `edit` to a fresh valid scenario and returns the formatted errors. */
function errorsOf(edit: (s: any) => void): string[] {
  const s = structuredClone(base()) as any;
  edit(s);
  const r = validateScenario(s);
  return r.ok ? [] : r.errors.map(formatIssue);
}

describe('scenario validation', () => {
  it('accepts the base scenario and fills in defaults', () => {
    const r = validateScenario(base());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.record.activity).toBe(true);
    expect(r.scenario.projections[0].output).toEqual({ type: 'current' });
    expect((r.scenario.populations.E as { restPotential: number }).restPotential).toBe(-65);
  });

  it('every preset in scenarios/ is valid and describable', () => {
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const r = validateScenario(JSON.parse(readFileSync(`scenarios/${f}`, 'utf8')));
      expect(r.ok ? [] : r.errors.map(formatIssue), f).toEqual([]);
      if (r.ok) {
        expect(r.scenario.sources.length, `${f} cites its sources`).toBeGreaterThan(0);
        expect(describeScenario(r.scenario)).toMatch(/Populations: .*Run: /);
      }
    }
  });

  it('names an unknown field, suggests the intended one and lists what is allowed', () => {
    const e = errorsOf((s) => (s.populations.E.tauMem = 0.02));
    expect(e).toHaveLength(1);
    expect(e[0]).toMatch(/^populations\.E\.tauMem: unknown field \(did you mean "tauM"\?\); allowed here: .*tauM/);
  });

  it('names a wrong type', () => {
    expect(errorsOf((s) => (s.populations.E.N = '20'))).toEqual([expect.stringMatching(/^populations\.E\.N: expected number, got "20"/)]);
  });

  it('refuses NaN and Infinity', () => {
    expect(errorsOf((s) => (s.populations.E.mu.value = NaN))[0]).toMatch(/^populations\.E\.mu\.value: must be a finite number, got NaN/);
    expect(errorsOf((s) => (s.projections[0].weight = Infinity))[0]).toMatch(/^projections\[0\]\.weight: must be a finite number/);
  });

  it('refuses zero or negative time constants', () => {
    expect(errorsOf((s) => (s.populations.E.tauM = -0.02))[0]).toMatch(/^populations\.E\.tauM: must be > 0 \(a time in seconds\), got -0\.02/);
    expect(errorsOf((s) => (s.projections[0].filter.tau = 0))[0]).toMatch(/^projections\[0\]\.filter\.tau: must be > 0/);
    expect(errorsOf((s) => (s.projections[0].stp.tauD = -1))[0]).toMatch(/^projections\[0\]\.stp\.tauD: must be ≥ 0/);
  });

  it('refuses U outside (0, 1] and U0 outside [0, 1]', () => {
    expect(errorsOf((s) => (s.projections[0].stp.U = 0))[0]).toMatch(/^projections\[0\]\.stp\.U: must be > 0 \(U is a utilisation in \(0, 1\]\)/);
    expect(errorsOf((s) => (s.projections[0].stp.U = 1.2))[0]).toMatch(/stp\.U: must be ≤ 1/);
    expect(errorsOf((s) => (s.projections[0].stp.U0 = -0.1))[0]).toMatch(/stp\.U0: must be ≥ 0 \(U0 is a resting utilisation in \[0, 1\]\)/);
    expect(errorsOf((s) => (s.projections[0].stp.U = 1))).toEqual([]);
  });

  it('refuses a dt too coarse for a time constant and says what dt to use', () => {
    const e = errorsOf((s) => (s.projections[0].filter.tau = 0.001));
    expect(e[0]).toMatch(/^run\.dt: dt = 0\.0005 s is too coarse for projections\[0\]\.filter\.tau = 0\.001 s .*use dt ≤ 0\.00010 s/);
  });

  it('refuses an in-degree larger than the source population', () => {
    expect(errorsOf((s) => (s.projections[0].connectivity.C = 101))[0]).toMatch(
      /^projections\[0\]\.connectivity\.C: in-degree 101 exceeds the 100 available sources in "P"/,
    );
    // Recurrent without autapses: one source fewer.
    const e = errorsOf((s) => {
      s.projections[0].from = 'E';
      s.projections[0].connectivity.C = 20;
    });
    expect(e[0]).toMatch(/in-degree 20 exceeds the 19 available sources in "E" \(N = 20, no autapses\)/);
  });

  it('refuses delays shorter than dt or not a whole number of steps', () => {
    expect(errorsOf((s) => (s.projections[0].delay = 0.0001))[0]).toMatch(/^projections\[0\]\.delay: must be at least one time step/);
    expect(errorsOf((s) => (s.projections[0].delay = 0.0012))[0]).toMatch(/whole number of time steps .*use 0\.001/);
  });

  it('refuses sizes that overflow, and unknown populations', () => {
    const e = errorsOf((s) => {
      s.populations.P.N = 2_000_000;
      s.populations.E.N = 2_000_000;
      s.projections[0].connectivity = { type: 'all-to-all' };
    });
    expect(e[0]).toMatch(/^projections\[0\]\.connectivity: 4\.00e\+12 synapses exceed .*"storage": "procedural"/);
    expect(errorsOf((s) => (s.populations.E.N = 2 ** 40))[0]).toMatch(/^populations\.E\.N: must be ≤ 2147483647/);
    expect(errorsOf((s) => (s.projections[0].to = 'X'))[0]).toMatch(/^projections\[0\]\.to: no population "X"; known populations: P, E/);
  });

  it('refuses a bad model name and suggests the right one', () => {
    expect(errorsOf((s) => (s.projections[0].stp.model = 'tsodyks-markam'))[0]).toMatch(
      /^projections\[0\]\.stp\.model: unknown value "tsodyks-markam" \(did you mean "tsodyks-markram"\?\); allowed: "none", "tsodyks-markram"/,
    );
  });

  it('refuses negative rates, unordered steps and mismatched step values', () => {
    expect(errorsOf((s) => (s.populations.P.rate.value = -1))[0]).toMatch(/^populations\.P\.rate\.value: a rate must be ≥ 0 Hz/);
    expect(errorsOf((s) => (s.populations.P.rate = { type: 'steps', times: [0.5, 0.2], values: [1, 2, 3] }))[0]).toMatch(/times must increase strictly/);
    expect(errorsOf((s) => (s.populations.P.rate = { type: 'steps', times: [0.5], values: [1, 2, 3] }))[0]).toMatch(
      /needs one more entry than times \(2\), got 3/,
    );
    expect(errorsOf((s) => (s.populations.P.rate = { type: 'sinusoid', offset: 5, amplitude: 10, frequency: 2 }))[0]).toMatch(/never goes negative/);
  });

  it('checks model combinations: kinetic receptors need conductance output, NMDA the Mg block', () => {
    expect(errorsOf((s) => (s.projections[0].filter = { type: 'kinetic', receptor: 'AMPA' }))[0]).toMatch(/is a conductance: use \{"type": "conductance"/);
    expect(
      errorsOf((s) => {
        s.projections[0].filter = { type: 'kinetic', receptor: 'NMDA' };
        s.projections[0].output = { type: 'conductance', E: 65 };
      })[0],
    ).toMatch(/output\.mgBlock: an NMDA receptor needs the magnesium block/);
    expect(errorsOf((s) => (s.projections[0].heterogeneity = { tauIn: { distribution: 'normal', sd: 0.001 } }))[0]).toMatch(
      /has no parameter tauIn; heterogeneity allowed here for: weight, U, U0, tauD, tauF/,
    );
  });

  it('refuses three-state STP with a kinetic receptor (undefined combination), naming the field and the alternatives', () => {
    const e = errorsOf((s) => {
      s.projections[0].filter = { type: 'kinetic', receptor: 'AMPA' };
      s.projections[0].output = { type: 'conductance', E: 0 };
      s.projections[0].stp = { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.5 };
    });
    expect(e).toEqual([
      expect.stringMatching(/^projections\[0\]\.filter: three-state STP drives a linear filter .*Use a delta, exponential, dual-exponential or alpha filter/),
    ]);
  });

  it('warns that a delta filter ignores normalize: "peak" (a pulse is its integral), and accepts delta conductances', () => {
    const s = structuredClone(base()) as any;
    s.projections[0].filter = { type: 'delta' };
    s.projections[0].output = { type: 'conductance', E: 0, mgBlock: { Mg: 1 } };
    expect(validateScenario(s)).toMatchObject({ ok: true, warnings: [] });
    s.projections[0].normalize = 'peak';
    const r = validateScenario(s);
    expect(r.ok).toBe(true);
    expect(r.warnings.map(formatIssue)).toEqual([expect.stringMatching(/^projections\[0\]\.normalize: ignored for a delta filter/)]);
    // With three-state STP the delta filter is the exponential stage y, which 'peak' does normalise.
    s.projections[0].stp = { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.5 };
    expect(validateScenario(s).warnings).toEqual([]);
  });

  it('refuses a duration that is not a whole number of steps, and seeds out of range', () => {
    expect(errorsOf((s) => (s.run.duration = 0.00125))[0]).toMatch(/^run\.duration: must be a whole number of time steps/);
    expect(errorsOf((s) => (s.run.seed = -1))[0]).toMatch(/^run\.seed: must be ≥ 0/);
  });
});
