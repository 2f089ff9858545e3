import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { compileNetwork } from '../../../src/compile';
import { buildConnectivity } from '../../../src/compile';
import type { Distribution } from '../../../src/model/scenario';
import { probe, scenario } from './support';

describe('connectivity', () => {
  const rng = () => seedrandom('test');

  it('fixed in-degree: every target has exactly C distinct sources, no autapse; rows sorted', () => {
    const N = 50;
    const C = 49;
    const { rowStart, targets } = buildConnectivity({ type: 'fixed-indegree', C, autapses: false, perTrial: false }, N, N, true, rng());
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
    const { rowStart } = buildConnectivity({ type: 'fixed-indegree', C, autapses: false, perTrial: false }, nPre, nPost, false, rng());
    const expected = (nPost * C) / nPre;
    // Out-degree of a source ~ Binomial(nPost, C/nPre): s.d. sqrt(nPost·(C/nPre)(1 − C/nPre)) = 30.6; 5 s.d. over 20 sources.
    const sd = Math.sqrt(nPost * (C / nPre) * (1 - C / nPre));
    for (let j = 0; j < nPre; j++) expect(Math.abs(rowStart[j + 1] - rowStart[j] - expected)).toBeLessThan(5 * sd);
  });

  it('fixed probability: the number of synapses is Binomial(pairs, p) (within 5 s.d.), no autapses', () => {
    const N = 400;
    const p = 0.05;
    const { rowStart, targets } = buildConnectivity({ type: 'fixed-probability', p, autapses: false, perTrial: false }, N, N, true, rng());
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
      projections: [
        {
          from: 'pre',
          to: 'post',
          connectivity: { type: 'fixed-indegree', C: 15 },
          weight: 0.5,
          delay: 0.001,
          filter: { type: 'exponential', tau: 0.005 },
          stp,
          ...(heterogeneity ? { heterogeneity } : {}),
        },
      ],
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
    for (const v of ['u', 'x'])
      het[v].forEach((val, k) => {
        expect(Math.abs(val - hom[v][k])).toBeLessThan(1e-13);
      });
    expect(Math.min(...hom.x)).toBeLessThan(0.99);
  });

  it('a nonzero spread changes the input, and draws respect the clipping ranges', () => {
    const hom = simulateMicroCpu(make());
    const het = simulateMicroCpu(make({ U: { distribution: 'normal', sd: 0.01 } }));
    expect(Array.from(het.inputs.post.sampled)).not.toEqual(Array.from(hom.inputs.post.sampled));
    const wide = compileNetwork(
      make({
        weight: { distribution: 'normal', sd: 2 },
        U: { distribution: 'normal', sd: 1 },
        U0: { distribution: 'uniform', halfWidth: 1 },
        tauD: { distribution: 'lognormal', cv: 3 },
        tauF: { distribution: 'normal', sd: 1 },
      }),
      { engine: 'micro-cpu' },
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
      projections: [
        {
          from: 'pre',
          to: 'post',
          connectivity: { type: 'all-to-all' },
          weight: 2,
          delay: 0.001,
          filter: { type: 'delta' },
          heterogeneity: { weight: { distribution: 'lognormal', cv: 0.5 } },
        },
      ],
      run: { dt: 0.001, duration: 0.001, seed: 2 },
    });
    const w = compileNetwork(s, { engine: 'micro-cpu' }).projections[0].synWeight!;
    let m = 0;
    for (const v of w) m += v / w.length;
    let v2 = 0;
    for (const v of w) v2 += (v - m) ** 2 / (w.length - 1);
    // s.e. of the mean: sd/√n = 1/√20000 = 0.0071.
    expect(Math.abs(m - 2)).toBeLessThan(5 * Math.sqrt(v2 / w.length));
    expect(Math.abs(Math.sqrt(v2) / m - 0.5)).toBeLessThan(0.03);
  });
});

describe('procedural storage', () => {
  const make = (storage: 'explicit' | 'procedural') =>
    scenario({
      populations: { pre: { model: 'poisson', N: 40, rate: { type: 'constant', value: 30 } }, post: probe(20) },
      projections: [
        {
          from: 'pre',
          to: 'post',
          connectivity: { type: 'fixed-probability', p: 0.3 },
          weight: 0.5,
          delay: 0.001,
          filter: { type: 'exponential', tau: 0.005 },
          stp: { model: 'depression', U: 0.4, tauD: 0.3 },
          storage,
        },
      ],
      run: { dt: 5e-4, duration: 0.2, trials: 2, seed: 5 },
      record: { binSize: 0.005, inputs: [{ population: 'post', neurons: 20 }] },
    });

  it('runs on the CPU engine as the same network stored explicitly, and says so in the engine facts', () => {
    const explicit = simulateMicroCpu(make('explicit'));
    const procedural = simulateMicroCpu(make('procedural'));
    expect(Array.from(procedural.inputs.post.sampled)).toEqual(Array.from(explicit.inputs.post.sampled));
    expect(Math.max(...explicit.inputs.post.sampled)).toBeGreaterThan(0);
    expect(explicit.engine.storage).toEqual({ 'pre->post': 'explicit' });
    expect(procedural.engine.storage).toEqual({ 'pre->post': expect.stringMatching(/^explicit \(procedural requested/) });
  });
});

describe('heterogeneous tauIn (three-state y per synapse)', () => {
  const stp = { model: 'three-state' as const, U: 0.4, tauIn: 0.003, tauRec: 0.3 };
  const filters = {
    delta: { type: 'delta' },
    exponential: { type: 'exponential', tau: 0.005 },
    alpha: { type: 'alpha', tau: 0.004 },
    'dual-exponential': { type: 'dual-exponential', tauRise: 0.002, tauDecay: 0.008 },
  } as const;
  const make = (filter: Record<string, unknown>, heterogeneity?: Record<string, Distribution>, extra: Record<string, unknown> = {}) =>
    scenario({
      populations: {
        pre: { model: 'poisson', N: 40, rate: { type: 'constant', value: 30 } },
        post: probe(20, { mu: { type: 'constant', value: -5 }, V0: -5 }),
      },
      projections: [
        {
          from: 'pre',
          to: 'post',
          connectivity: { type: 'fixed-indegree', C: 15 },
          weight: 0.5,
          delay: 0.001,
          filter,
          stp,
          ...extra,
          ...(heterogeneity ? { heterogeneity } : {}),
        } as never,
      ],
      run: { dt: 5e-4, duration: 0.4, trials: 2, seed: 5 },
      record: { binSize: 0.005, inputs: [{ population: 'post', neurons: 20 }] },
    });
  /** Largest difference relative to the largest |input|. */
  const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let d = 0;
    let m = 0;
    for (let i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
      m = Math.max(m, Math.abs(b[i]));
    }
    expect(m).toBeGreaterThan(0);
    return d / m;
  };

  for (const [name, filter] of Object.entries(filters)) {
    it(`zero spread equals the homogeneous model to 1e-12 (${name} filter; current, and conductance with 'peak')`, () => {
      const d = { distribution: 'lognormal', cv: 0 } as const;
      for (const extra of [{}, { output: { type: 'conductance', E: 60 } }]) {
        const hom = simulateMicroCpu(make(filter, undefined, extra));
        const het = simulateMicroCpu(make(filter, { tauIn: d }, extra));
        expect(het.engine.filterState).toEqual({ 'pre->post': 'per-synapse' });
        expect(het.engine.stpState).toEqual({ 'pre->post': 'per-synapse' });
        expect(maxRelDiff(het.inputs.post.sampled, hom.inputs.post.sampled)).toBeLessThan(1e-12);
        expect(maxRelDiff(het.inputs.post.populationMean, hom.inputs.post.populationMean)).toBeLessThan(1e-12);
      }
    });
  }

  for (const name of ['delta', 'exponential', 'alpha'] as const) {
    it(`each synapse uses its own drawn tauIn: two synapses equal the sum of two homogeneous projections with those values (${name}, 1e-12)`, () => {
      const dt = 1e-4;
      const rate = { type: 'steps' as const, times: [20 * dt, 21 * dt, 60 * dt, 61 * dt, 75 * dt, 76 * dt], values: [0, 1e9, 0, 1e9, 0, 1e9, 0] };
      const base = { connectivity: { type: 'all-to-all' }, weight: 0.7, delay: 3 * dt, filter: filters[name], normalize: 'peak' };
      const run = { dt, duration: 0.05, seed: 3 };
      const record = { inputs: [{ population: 'post', neurons: 1 }] };
      const het = scenario({
        populations: { pre: { model: 'poisson', N: 2, rate }, post: probe(1) },
        projections: [{ ...base, from: 'pre', to: 'post', stp, heterogeneity: { tauIn: { distribution: 'lognormal', cv: 0.6 } } } as never],
        run,
        record,
      });
      const tauIn = compileNetwork(het, { engine: 'micro-cpu' }).projections[0].synStp.tauIn!;
      expect(Math.abs(tauIn[0] - tauIn[1])).toBeGreaterThan(1e-4);
      const ref = scenario({
        populations: { pre1: { model: 'poisson', N: 1, rate }, pre2: { model: 'poisson', N: 1, rate }, post: probe(1) },
        projections: [0, 1].map((k) => ({ ...base, from: `pre${k + 1}`, to: 'post', stp: { ...stp, tauIn: tauIn[k] } }) as never),
        run,
        record,
      });
      expect(maxRelDiff(simulateMicroCpu(het).inputs.post.sampled, simulateMicroCpu(ref).inputs.post.sampled)).toBeLessThan(1e-12);
    });
  }
});

describe('kinetic receptors with heterogeneous STP (a gate per synapse)', () => {
  const stp = { model: 'tsodyks-markram' as const, U: 0.3, U0: 0.1, tauD: 0.2, tauF: 0.4 };
  const receptors = {
    AMPA: { output: { type: 'conductance', E: 0 } },
    GABA_A: { output: { type: 'conductance', E: -80 } },
    NMDA: { output: { type: 'conductance', E: 0, mgBlock: { Mg: 1 } } },
  } as const;
  const make = (receptor: keyof typeof receptors, heterogeneity?: Record<string, Distribution>, pre = 40, post = 20, C = 15) =>
    scenario({
      populations: {
        pre: { model: 'poisson', N: pre, rate: { type: 'constant', value: 30 } },
        post: probe(post, { mu: { type: 'constant', value: -5 }, V0: -5 }),
      },
      projections: [
        {
          from: 'pre',
          to: 'post',
          connectivity: { type: 'fixed-indegree', C },
          weight: 0.02,
          delay: 0.001,
          filter: { type: 'kinetic', receptor },
          stp,
          ...receptors[receptor],
          ...(heterogeneity ? { heterogeneity } : {}),
        } as never,
      ],
      run: { dt: 1e-4, duration: 0.2, trials: 2, seed: 8 },
      record: { binSize: 0.001, inputs: [{ population: 'post', neurons: post }] },
    });
  const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let d = 0;
    let m = 0;
    for (let i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
      m = Math.max(m, Math.abs(b[i]));
    }
    expect(m).toBeGreaterThan(0);
    return d / m;
  };

  for (const receptor of Object.keys(receptors) as (keyof typeof receptors)[]) {
    it(`${receptor}: zero spread equals the homogeneous model (per-presynaptic gates) to 1e-12`, () => {
      const d = { distribution: 'normal', sd: 0 } as const;
      const hom = simulateMicroCpu(make(receptor));
      const het = simulateMicroCpu(make(receptor, { weight: d, U: d, tauF: d }));
      expect(hom.engine.filterState).toEqual({ 'pre->post': 'per-presynaptic-neuron' });
      expect(het.engine.filterState).toEqual({ 'pre->post': 'per-synapse' });
      expect(maxRelDiff(het.inputs.post.sampled, hom.inputs.post.sampled)).toBeLessThan(1e-12);
    });
  }

  it("each gate uses its synapse's own drawn U: one synapse equals the homogeneous model with that U (1e-12)", () => {
    const het = make('AMPA', { U: { distribution: 'lognormal', cv: 0.5 } }, 1, 1, 1);
    const U = compileNetwork(het, { engine: 'micro-cpu' }).projections[0].synStp.U![0];
    expect(Math.abs(U - stp.U)).toBeGreaterThan(0.01);
    const hom = make('AMPA', undefined, 1, 1, 1);
    (hom.projections[0].stp as { U: number }).U = U;
    expect(maxRelDiff(simulateMicroCpu(het).inputs.post.sampled, simulateMicroCpu(hom).inputs.post.sampled)).toBeLessThan(1e-12);
  });
});

describe('combinations the CPU engine refuses fail with a clear error', () => {
  const base = {
    populations: { pre: { model: 'poisson', N: 2, rate: { type: 'constant', value: 1 } }, post: probe(2) },
    run: { dt: 1e-4, duration: 0.01 },
  } as const;
  const run =
    (proj: Record<string, unknown>, populations: Record<string, unknown> = base.populations) =>
    () =>
      simulateMicroCpu(
        scenario({
          ...base,
          populations: populations as never,
          projections: [{ from: 'pre', to: 'post', connectivity: { type: 'all-to-all' }, weight: 1, delay: 1e-4, ...proj } as never],
        }),
      );

  it('names the projection and the reason', () => {
    // The validator refuses this combination too; the engine guards scenarios that were not parsed.
    const kinetic = scenario({
      ...base,
      projections: [
        {
          from: 'pre',
          to: 'post',
          connectivity: { type: 'all-to-all' },
          weight: 1,
          delay: 1e-4,
          filter: { type: 'kinetic', receptor: 'AMPA' },
          output: { type: 'conductance', E: 0 },
        },
      ],
    });
    kinetic.projections[0].stp = { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.5 };
    expect(() => simulateMicroCpu(kinetic)).toThrow(/pre->post.*three-state STP with a kinetic receptor/);
    const huge = { pre: { model: 'poisson', N: 100000, rate: { type: 'constant', value: 1 } }, post: probe(100000) };
    expect(run({ filter: { type: 'delta' }, storage: 'procedural' }, huge)).toThrow(
      /pre->post.*1\.00e\+10 synapses exceed .* procedural storage .* GPU engine/,
    );
  });

  it('accepts what it used to refuse: delta conductance, three-state with alpha, procedural storage', () => {
    expect(run({ filter: { type: 'delta' }, output: { type: 'conductance', E: 0 } })).not.toThrow();
    expect(run({ filter: { type: 'delta' }, output: { type: 'conductance', E: 0, mgBlock: { Mg: 1 } } })).not.toThrow();
    expect(run({ filter: { type: 'alpha', tau: 0.002 }, stp: { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.5 } })).not.toThrow();
    expect(run({ filter: { type: 'exponential', tau: 0.002 }, storage: 'procedural' })).not.toThrow();
  });
});
