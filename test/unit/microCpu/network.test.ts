import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { compileNetwork, simulateMicroCpu } from '../../../src/micro/cpu';
import { buildConnectivity } from '../../../src/micro/cpu/connectivity';
import type { Distribution } from '../../../src/model/scenario';
import { probe, scenario } from './support';

describe('connectivity', () => {
  const rng = () => seedrandom('test');

  it('fixed in-degree: every target has exactly C distinct sources, no autapse; rows sorted', () => {
    const N = 50;
    const C = 49;
    const { rowStart, targets } = buildConnectivity({ type: 'fixed-indegree', C, autapses: false }, N, N, true, rng());
    const sources = Array.from({ length: N }, () => new Set<number>());
    for (let j = 0; j < N; j++) {
      for (let s = rowStart[j]; s < rowStart[j + 1]; s++) {
        if (s > rowStart[j]) expect(targets[s]).toBeGreaterThan(targets[s - 1]);
        sources[targets[s]].add(j);
      }
    }
    sources.forEach((set, i) => {
      expect(set.size).toBe(C);
      expect(set.has(i)).toBe(false);
    });
  });

  it('fixed in-degree samples sources uniformly (each source chosen C/N of the time, chi-square-like bound)', () => {
    const nPre = 20;
    const nPost = 5000;
    const C = 5;
    const { rowStart } = buildConnectivity({ type: 'fixed-indegree', C, autapses: false }, nPre, nPost, false, rng());
    const expected = (nPost * C) / nPre;
    // Out-degree of a source ~ Binomial(nPost, C/nPre): s.d. sqrt(nPost·(C/nPre)(1 − C/nPre)) = 30.6; 5 s.d. over 20 sources.
    const sd = Math.sqrt(nPost * (C / nPre) * (1 - C / nPre));
    for (let j = 0; j < nPre; j++) expect(Math.abs(rowStart[j + 1] - rowStart[j] - expected)).toBeLessThan(5 * sd);
  });

  it('fixed probability: the number of synapses is Binomial(pairs, p) (within 5 s.d.), no autapses', () => {
    const N = 400;
    const p = 0.05;
    const { rowStart, targets } = buildConnectivity({ type: 'fixed-probability', p, autapses: false }, N, N, true, rng());
    const pairs = N * (N - 1);
    expect(Math.abs(targets.length - pairs * p)).toBeLessThan(5 * Math.sqrt(pairs * p * (1 - p)));
    for (let j = 0; j < N; j++) for (let s = rowStart[j]; s < rowStart[j + 1]; s++) expect(targets[s]).not.toBe(j);
  });

  it('all-to-all with and without autapses', () => {
    expect(buildConnectivity({ type: 'all-to-all', autapses: true }, 7, 7, true, rng()).targets.length).toBe(49);
    expect(buildConnectivity({ type: 'all-to-all', autapses: false }, 7, 7, true, rng()).targets.length).toBe(42);
  });
});

describe('heterogeneity', () => {
  const stp = { model: 'tsodyks-markram' as const, U: 0.3, U0: 0.1, tauD: 0.2, tauF: 0.4 };
  const make = (heterogeneity?: Record<string, Distribution>) =>
    scenario({
      populations: { pre: { model: 'poisson', N: 40, rate: { type: 'constant', value: 30 } }, post: probe(20) },
      projections: [{ from: 'pre', to: 'post', connectivity: { type: 'fixed-indegree', C: 15 }, weight: 0.5, delay: 0.001, filter: { type: 'exponential', tau: 0.005 }, stp, ...(heterogeneity ? { heterogeneity } : {}) }],
      run: { dt: 5e-4, duration: 0.4, trials: 2, seed: 5 },
      record: { binSize: 0.005, inputs: [{ population: 'post', neurons: 20 }], stp: true },
    });

  for (const [name, d] of [
    ['normal', { distribution: 'normal', sd: 0 }],
    ['lognormal', { distribution: 'lognormal', cv: 0 }],
    ['uniform', { distribution: 'uniform', halfWidth: 0 }],
  ] as const) {
    it(`zero spread (${name}) gives exactly the homogeneous model (per-synapse STP state = per-presynaptic state)`, () => {
      const hom = simulateMicroCpu(make());
      const het = simulateMicroCpu(make({ weight: d, U: d, U0: d, tauD: d, tauF: d }));
      expect(hom.engine.stpState).toEqual({ 'pre->post': 'per-presynaptic-neuron' });
      expect(het.engine.stpState).toEqual({ 'pre->post': 'per-synapse' });
      expect(Array.from(het.inputs.post.sampled)).toEqual(Array.from(hom.inputs.post.sampled));
      expect(Array.from(het.inputs.post.populationMean)).toEqual(Array.from(hom.inputs.post.populationMean));
      // The recorded STP means differ in what they average over (synapses vs presynaptic neurons), not in value:
      // with in-degree C each presynaptic neuron has a random out-degree, so only equal weights coincide exactly.
      expect(Math.max(...hom.inputs.post.sampled)).toBeGreaterThan(0);
    });
  }

  it('per-synapse STP recording: with all-to-all and zero spread, the mean over synapses equals the mean over presynaptic neurons', () => {
    const d = { distribution: 'normal', sd: 0 } as const;
    const a2a = (het: boolean) => {
      const s = make(het ? { U: d, tauF: d } : undefined);
      s.projections[0].connectivity = { type: 'all-to-all', autapses: true };
      return simulateMicroCpu(s);
    };
    const hom = a2a(false).stp['pre->post'];
    const het = a2a(true).stp['pre->post'];
    // Same values, summed in a different order: equal to rounding.
    for (const v of ['u', 'x']) het[v].forEach((val, k) => expect(Math.abs(val - hom[v][k])).toBeLessThan(1e-13));
    expect(Math.min(...hom.x)).toBeLessThan(0.99);
  });

  it('a nonzero spread changes the input, and draws respect the clipping ranges', () => {
    const hom = simulateMicroCpu(make());
    const het = simulateMicroCpu(make({ U: { distribution: 'normal', sd: 0.01 } }));
    expect(Array.from(het.inputs.post.sampled)).not.toEqual(Array.from(hom.inputs.post.sampled));
    const wide = compileNetwork(
      make({ weight: { distribution: 'normal', sd: 2 }, U: { distribution: 'normal', sd: 1 }, U0: { distribution: 'uniform', halfWidth: 1 }, tauD: { distribution: 'lognormal', cv: 3 }, tauF: { distribution: 'normal', sd: 1 } }),
    ).projections[0];
    const w = wide.synWeight!;
    expect(Math.min(...w)).toBe(0); // weight keeps its sign (Dale's law)
    expect(Math.max(...w)).toBeGreaterThan(0.5);
    const U = wide.synStp.U!;
    expect(Math.min(...U)).toBe(0.3e-6);
    expect(Math.max(...U)).toBe(1);
    const U0 = wide.synStp.U0!;
    expect([Math.min(...U0), Math.max(...U0)]).toEqual([0, 1]);
    expect(Math.min(...wide.synStp.tauF!)).toBe(0.4e-6);
    expect(Math.min(...wide.synStp.tauD!)).toBeGreaterThan(0);
  });

  it('lognormal draws have the nominal mean and the given cv (2·10⁴ synapses, within 5 s.e.)', () => {
    const s = scenario({
      populations: { pre: { model: 'poisson', N: 200, rate: { type: 'constant', value: 1 } }, post: probe(100) },
      projections: [{ from: 'pre', to: 'post', connectivity: { type: 'all-to-all' }, weight: 2, delay: 0.001, filter: { type: 'delta' }, heterogeneity: { weight: { distribution: 'lognormal', cv: 0.5 } } }],
      run: { dt: 0.001, duration: 0.001, seed: 2 },
    });
    const w = compileNetwork(s).projections[0].synWeight!;
    let m = 0;
    for (const v of w) m += v / w.length;
    let v2 = 0;
    for (const v of w) v2 += (v - m) ** 2 / (w.length - 1);
    // s.e. of the mean: sd/√n = 1/√20000 = 0.0071.
    expect(Math.abs(m - 2)).toBeLessThan(5 * Math.sqrt(v2 / w.length));
    expect(Math.abs(Math.sqrt(v2) / m - 0.5)).toBeLessThan(0.03);
  });
});

describe('unsupported combinations fail with a clear error', () => {
  it('names the projection and the reason', () => {
    const base = { populations: { pre: { model: 'poisson', N: 2, rate: { type: 'constant', value: 1 } }, post: probe(2) }, run: { dt: 1e-4, duration: 0.01 } } as const;
    const bad = (proj: Record<string, unknown>) => () =>
      simulateMicroCpu(scenario({ ...base, projections: [{ from: 'pre', to: 'post', connectivity: { type: 'all-to-all' }, weight: 1, delay: 1e-4, ...proj } as never] }));
    expect(bad({ filter: { type: 'delta' }, output: { type: 'conductance', E: 0 } })).toThrow(/pre->post.*delta filter with conductance/);
    expect(bad({ filter: { type: 'alpha', tau: 0.002 }, stp: { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.5 } })).toThrow(/three-state STP with a "alpha" filter/);
    expect(bad({ filter: { type: 'exponential', tau: 0.002 }, storage: 'procedural' })).toThrow(/procedural/);
  });
});
