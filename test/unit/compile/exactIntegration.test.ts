import { describe, expect, it } from 'vitest';
import { compileNetwork, unsupportedFeatures } from '../../../src/compile';
import { exactInputCoupling } from '../../../src/compile/filter';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { simulateMeso } from '../../../src/meso';
import { validateScenario } from '../../../src/model/validate';
import { expConvolution } from '../../../src/synapse/exact';
import { meanSe, probe, scenario, singleSpikeSource } from '../microCpu/support';

/**
 * The membrane and a linear filter, τm V' = −V + outScale·s_S, s_k' = −s_k/τ_k + s_{k−1}, integrated
 * over dt from V = 0 and stages s0 by RK4 with many substeps (the reference).
 */
function integrate(taus: number[], s0: number[], outScale: number, tauM: number, dt: number, substeps = 20000): number {
  const S = taus.length;
  const deriv = (x: number[]) => {
    const d = new Array(S + 1).fill(0);
    for (let k = 0; k < S; k++) d[k] = -x[k] / taus[k] + (k > 0 ? x[k - 1] : 0);
    d[S] = (-x[S] + outScale * x[S - 1]) / tauM;
    return d;
  };
  let x = [...s0, 0];
  const h = dt / substeps;
  for (let i = 0; i < substeps; i++) {
    const k1 = deriv(x);
    const k2 = deriv(x.map((v, j) => v + 0.5 * h * k1[j]));
    const k3 = deriv(x.map((v, j) => v + 0.5 * h * k2[j]));
    const k4 = deriv(x.map((v, j) => v + h * k3[j]));
    x = x.map((v, j) => v + (h / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]));
  }
  return x[S];
}

describe("run.integration 'exact': the membrane and the linear filters integrated together over a step", () => {
  const tauM = 0.02;
  const dt = 5e-4;

  it('the coupling of an exponential filter is the closed form', () => {
    const tauS = 0.005;
    const [c] = exactInputCoupling([tauS], tauM, tauM, dt);
    expect(c).toBeCloseTo(((tauM / tauM) * expConvolution(dt, tauS, tauM)) / -Math.expm1(-dt / tauM), 14);
    // Held at the step's start the input is larger: the filter decays within the step.
    expect(c).toBeLessThan(tauM);
    expect(c / tauM).toBeCloseTo(1 - dt / (2 * tauS), 2);
  });

  it('the held coupled input makes one membrane step exact, for every filter shape (time constants that coincide with each other or with τm included)', () => {
    const cases: { taus: number[]; s0: number[] }[] = [
      { taus: [0.005], s0: [1.3] },
      { taus: [0.001, 0.005], s0: [0.7, -0.4] },
      { taus: [0.004, 0.004], s0: [2, 0.5] }, // alpha
      { taus: [0.002, 0.004, 0.02], s0: [1, 0.2, -0.3] }, // a cascade whose last stage has τm's time constant
    ];
    const outScale = 0.015;
    for (const { taus, s0 } of cases) {
      const c = exactInputCoupling(taus, outScale, tauM, dt);
      const held = c.reduce((sum, cj, j) => sum + cj * s0[j], 0);
      // V from 0 with the input held: V1 = held·(1 − e^{−dt/τm}).
      const step = held * -Math.expm1(-dt / tauM);
      const reference = integrate(taus, s0, outScale, tauM, dt);
      expect(Math.abs(step - reference), `taus ${taus}`).toBeLessThan(1e-11 * Math.max(1e-6, Math.abs(reference)) + 1e-15);
      // The input held at its output value is first-order wrong.
      const naive = outScale * s0[s0.length - 1] * -Math.expm1(-dt / tauM);
      expect(Math.abs(naive - reference)).toBeGreaterThan(1e4 * Math.abs(step - reference));
    }
  });

  it('micro-cpu follows the exact membrane of a filtered spike, step for step; held input does not', () => {
    const tauS = 0.005;
    const arrival = 3; // the spike of step 2 arrives after one step of delay
    const make = (integration: 'held' | 'exact') =>
      scenario({
        populations: { src: singleSpikeSource(2, dt), post: probe(1, { tauM }) },
        projections: [{ from: 'src', to: 'post', connectivity: { type: 'all-to-all' }, weight: 1.5, delay: dt, filter: { type: 'exponential', tau: tauS } }],
        run: { dt, duration: 0.02, integration },
        record: { inputs: [{ population: 'post', neurons: 1 }], binSize: dt },
      });
    const kick = compileNetwork(make('exact'), { engine: 'micro-cpu' }).projections[0];
    const g0 = kick.weight * kick.kickScale;
    for (const integration of ['exact', 'held'] as const) {
      const r = simulateMicroCpu(make(integration));
      const I = r.inputs.post.sampled;
      const decay = Math.exp(-dt / tauM);
      let V = 0;
      let worst = 0;
      for (let n = 0; n < r.bins; n++) {
        V = V * decay + I[n] * (1 - decay);
        const t = (n + 1 - arrival) * dt;
        const exact = t > 0 ? ((kick.outScale * g0) / tauM) * expConvolution(t, tauS, tauM) : 0;
        worst = Math.max(worst, Math.abs(V - exact));
      }
      if (integration === 'exact') expect(worst).toBeLessThan(1e-12);
      else expect(worst).toBeGreaterThan(1e-4);
    }
  });

  it('macro holds the coupled input micro-cpu holds, and its rate converges faster in dt', () => {
    const make = (integration: 'held' | 'exact', step: number) =>
      scenario({
        populations: {
          src: { model: 'poisson', N: 400, rate: { type: 'constant', value: 20 } },
          post: { model: 'glif', N: 400, tauM, mu: { type: 'constant', value: 10 }, uReset: 0, tRef: 0.002, c: 10, deltaU: 2, uTh: 15 },
        },
        projections: [
          { from: 'src', to: 'post', connectivity: { type: 'fixed-indegree', C: 50 }, weight: 0.3, delay: 0.001, filter: { type: 'exponential', tau: 0.002 } },
        ],
        run: { dt: step, duration: 0.5, integration },
        record: { inputs: [{ population: 'post', neurons: 1 }], binSize: 0.001 },
      });
    const rate = (integration: 'held' | 'exact', step: number) => {
      const r = simulateMeso(make(integration, step), { level: 'macro' });
      const a = r.activity.post;
      let s = 0;
      for (let k = r.bins - 200; k < r.bins; k++) s += a[k];
      return s / 200;
    };
    const reference = rate('exact', 2.5e-5);
    const errors = (integration: 'held' | 'exact') => [5e-4, 2.5e-4].map((step) => Math.abs(rate(integration, step) - reference));
    const held = errors('held');
    const exact = errors('exact');
    for (let k = 0; k < held.length; k++) {
      expect(exact[k], `dt ${[5e-4, 2.5e-4][k]}: exact ${exact[k]}, held ${held[k]}`).toBeLessThan(held[k]);
      // The held input's first-order error dominates: removing it leaves under a tenth (docs/step-semantics.md).
      expect(exact[k], `dt ${[5e-4, 2.5e-4][k]}: exact ${exact[k]}, held ${held[k]}`).toBeLessThan(held[k] / 10);
    }
    // The input the engines hold: micro-cpu's population mean (Poisson sources: the same mean at
    // any N) against macro's, over 800 bins of 1 ms (a 2-ms filter: nearly independent bins).
    const step = 2.5e-4;
    const long = (integration: 'held' | 'exact') => ({ ...make(integration, step), run: { ...make(integration, step).run, duration: 1.0 } });
    const macro = simulateMeso(long('exact'), { level: 'macro' });
    const M =
      Array.from(macro.inputs.post.populationMean)
        .slice(-800)
        .reduce((x, y) => x + y, 0) / 800;
    const microMean = (integration: 'held' | 'exact') => meanSe(Array.from(simulateMicroCpu(long(integration)).inputs.post.populationMean).slice(-800));
    const exactMicro = microMean('exact');
    expect(Math.abs(exactMicro.mean - M), `micro ${exactMicro.mean} ± ${exactMicro.se}, macro ${M}`).toBeLessThan(5 * exactMicro.se);
    // The held input is larger by about dt/(2τs) (6 %): many standard errors away.
    const heldMicro = microMean('held');
    expect(heldMicro.mean - M, `held micro ${heldMicro.mean} ± ${heldMicro.se}, macro ${M}`).toBeGreaterThan(8 * heldMicro.se);
  });

  it('is refused where it does not apply: conductances, kinetic receptors; every engine runs the rest', () => {
    const base = {
      populations: { src: { model: 'poisson', N: 10, rate: { type: 'constant', value: 5 } }, post: { ...probe(1), restPotential: -65 } },
      run: { dt, duration: 0.01, integration: 'exact' },
    };
    const projection = (extra: Record<string, unknown>) => ({
      from: 'src',
      to: 'post',
      connectivity: { type: 'all-to-all' },
      weight: 0.1,
      delay: dt,
      ...extra,
    });
    const conductance = validateScenario({
      name: 'x',
      ...base,
      projections: [projection({ filter: { type: 'exponential', tau: 0.005 }, output: { type: 'conductance', E: 0 } })],
    });
    const paths = (r: ReturnType<typeof validateScenario>) => (r.ok ? [] : r.errors.map((e) => e.path));
    expect(conductance.ok).toBe(false);
    expect(paths(conductance)).toContain('projections[0].output.type');
    const kinetic = validateScenario({
      name: 'x',
      ...base,
      projections: [projection({ filter: { type: 'kinetic', receptor: 'AMPA' }, output: { type: 'conductance', E: 0 } })],
    });
    expect(paths(kinetic)).toContain('projections[0].filter.type');
    const ok = scenario({ ...(base as object), projections: [projection({ filter: { type: 'exponential', tau: 0.005 } })] } as never);
    expect(unsupportedFeatures('micro-gpu', ok)).toEqual([]);
    expect(unsupportedFeatures('micro-cpu', ok)).toEqual([]);
    expect(unsupportedFeatures('meso', ok)).toEqual([]);
  });
});
