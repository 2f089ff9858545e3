/** The age-structured population equations: macro limit, adaptation, cost, what is refused. */
import { describe, expect, it } from 'vitest';
import { MesoPopulation, simulateMeso } from '../../../src/meso';
import { macroFixedPoints } from '../../../src/meso/fixedPoints';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { discreteRenewalRate, mean, scenario } from '../microCpu/support';
import { dt, glif, planOf } from './support';

describe('macro limit (N → ∞)', () => {
  it('an uncoupled escape-noise LIF population settles at the renewal rate of its hazard discretisation (rel. 1e-5: neurons older than 6τm share one potential)', () => {
    const p = { tauM: 0.02, mu: 15.5, uReset: 0, tRef: 0.004, c: 10, deltaU: 2, uTh: 15 };
    const s = scenario({
      populations: {
        g: {
          model: 'glif',
          N: 1000,
          tauM: p.tauM,
          mu: { type: 'constant', value: p.mu },
          uReset: p.uReset,
          tRef: p.tRef,
          c: p.c,
          deltaU: p.deltaU,
          uTh: p.uTh,
        },
      },
      run: { dt, duration: 3, seed: 1 },
      record: { binSize: 0.5 },
    });
    const r = simulateMeso(s, { level: 'macro' });
    const rate = discreteRenewalRate(p, dt);
    expect(rate).toBeGreaterThan(5);
    expect(Math.abs(r.activity.g[r.bins - 1] / rate - 1)).toBeLessThan(1e-5);
  });

  it('keeps every neuron accounted for: Σm = N through bursts of input', () => {
    const plan = planOf(glif(500, 10, { adaptation: [{ J: 1, tau: 0.1 }] }));
    const pop = new MesoPopulation(plan, dt);
    for (let n = 0; n < 4000; n++) {
      const I = n % 400 < 100 ? 12 : 0;
      pop.commit(pop.expectedCount(10, I, null, 0, dt));
    }
    expect(Math.abs(pop.accounted() - 500)).toBeLessThan(1e-8);
  });

  it('a deterministic LIF network equals the micro engine exactly: all neurons fire together', () => {
    const s = scenario({
      populations: {
        L: { model: 'lif', N: 40, tauM: 0.02, mu: { type: 'sinusoid', offset: 17, amplitude: 6, frequency: 3 }, uReset: 0, tRef: 0.003, uTh: 15 },
      },
      projections: [
        {
          from: 'L',
          to: 'L',
          connectivity: { type: 'all-to-all' },
          weight: 0.02,
          delay: 0.002,
          filter: { type: 'exponential', tau: 0.005 },
          stp: { model: 'depression', U: 0.5, tauD: 0.2 },
        },
      ],
      run: { dt, duration: 1, seed: 2 },
      record: { inputs: [{ population: 'L', neurons: 1 }] },
    });
    const micro = simulateMicroCpu(s);
    const macro = simulateMeso(s, { level: 'macro' });
    const spikesMicro = Array.from(micro.activity.L).filter((a) => a > 0).length;
    expect(spikesMicro).toBeGreaterThan(10);
    expect(Array.from(macro.activity.L)).toEqual(Array.from(micro.activity.L));
    for (let k = 0; k < micro.bins; k++) expect(macro.inputs.L.populationMean[k]).toBeCloseTo(micro.inputs.L.populationMean[k], 10);
  });
});

describe('threshold adaptation (quasi-renewal)', () => {
  const adapting = (J: number, tau: number, mu: number, duration: number) =>
    scenario({
      populations: {
        g: {
          model: 'glif',
          N: 1000,
          tauM: 0.02,
          mu: { type: 'constant', value: mu },
          uReset: 0,
          tRef: 0.004,
          c: 10,
          deltaU: 2,
          uTh: 15,
          adaptation: [{ J, tau }],
        },
      },
      run: { dt, duration, seed: 3 },
      record: { binSize: 0.5 },
    });

  it('the macro run settles on the fixed point of the same quasi-renewal thresholds (rel. 1e-5)', () => {
    const s = adapting(1, 0.1, 16, 4);
    const r = simulateMeso(s, { level: 'macro' });
    const [fp] = macroFixedPoints(s);
    expect(Math.abs(r.activity.g[r.bins - 1] / fp.rates.g - 1)).toBeLessThan(1e-5);
  });

  it('slow adaptation (τ = 0.5 s, 4 mV per spike): the meso rate is within 3 % of micro-cpu', () => {
    // 1000 neurons × 4 s at ≈ 3 Hz after a 2 s burn-in: the micro rate is known to ≈ 1 %.
    const s = adapting(2, 0.5, 18, 6);
    const tail = (a: ArrayLike<number>) => mean(a, 4, 12);
    const micro = tail(simulateMicroCpu(s).activity.g);
    const meso = tail(simulateMeso(s, { level: 'meso' }).activity.g);
    expect(micro).toBeGreaterThan(2);
    expect(Math.abs(meso / micro - 1)).toBeLessThan(0.03);
  });
});

describe('cost', () => {
  it('does not grow with N: the same age bins and a bounded number of random numbers per spike-count draw', () => {
    const small = new MesoPopulation(planOf(glif(100, 14)), dt);
    const large = new MesoPopulation(planOf(glif(10_000_000, 14)), dt);
    expect(large.K).toBe(small.K);
    for (const N of [1000, 10_000_000]) {
      const s = scenario({ populations: { g: glif(N, 14) }, run: { dt, duration: 0.5, seed: 5 }, record: { binSize: 0.5 } });
      const r = simulateMeso(s, { level: 'meso' });
      expect(r.engine.uniformsPerStep as number, `N = ${N}`).toBeLessThan(4);
    }
  });
});

describe('what the meso engine refuses', () => {
  it('names the projection and the reason, and points to micro-cpu', () => {
    const s = scenario({
      populations: { P: { model: 'poisson', N: 10, rate: { type: 'constant', value: 5 } }, G: glif(10, 10) },
      projections: [
        {
          from: 'P',
          to: 'G',
          connectivity: { type: 'all-to-all' },
          weight: 0.1,
          delay: 0.001,
          filter: { type: 'kinetic', receptor: 'AMPA' },
          output: { type: 'conductance', E: 60 },
        },
        {
          from: 'P',
          to: 'G',
          name: 'het',
          connectivity: { type: 'all-to-all' },
          weight: 0.1,
          delay: 0.001,
          filter: { type: 'exponential', tau: 0.005 },
          heterogeneity: { weight: { distribution: 'normal', sd: 0.01 } },
        },
      ],
      run: { dt, duration: 0.1, seed: 1 },
    });
    expect(() => simulateMeso(s, { level: 'meso' })).toThrow(
      /projections\[0\] \("P->G"\): kinetic receptors.*projections\[1\] \("het"\): per-synapse heterogeneity.*--level micro-cpu/,
    );
  });
});

describe('the queue of occupied bins', () => {
  /**
   * A population whose queue holds every slot, as the loops over all K slots did before the queue:
   * a stationary state at rate 0 (every bin empty, all neurons in the lumped class at V0) is the
   * reset state with every slot queued.
   */
  function fullScan(plan: ReturnType<typeof planOf>): MesoPopulation {
    const pop = new MesoPopulation(plan, dt);
    const V = new Float64Array(pop.K).fill(plan.uReset);
    pop.setStationary(0, dt, { S: new Float64Array(pop.K), V, freeS: 0, freeV: plan.V0, freeDecay: () => 1 });
    return pop;
  }

  it.each([
    ['current input (the common path), an STP track', glif(200, 9), true],
    ['adaptation (the general path)', glif(200, 9, { adaptation: [{ J: 1, tau: 0.1 }] }), false],
    ['facilitating track', glif(200, 9), 'facilitating'],
  ] as const)('%s: the same numbers as a scan of every slot, bit for bit, through Down and Up and a kick', (_what, g, track) => {
    const plan = planOf(g);
    const queued = new MesoPopulation(plan, dt);
    const scanned = fullScan(plan);
    expect(scanned.occupiedBins()).toBe(scanned.K);
    const tracks = track
      ? [queued, scanned].map((p) =>
          p.addStpTrack(
            track === 'facilitating'
              ? { model: 'tsodyks-markram', params: { U: 0.2, U0: 0.1, tauD: 0.2, tauF: 0.3 } }
              : { model: 'depression', params: { U: 0.3, tauD: 0.2 } },
            dt,
          ),
        )
      : [];
    // Deterministic counts from the expected ones, with many steps of none (the Down state's).
    let seed = 12345;
    const uniform = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let zeros = 0;
    const opened: number[] = [];
    for (let n = 0; n < 3000; n++) {
      // Down (low drive) and Up (an input step) in turn.
      const I = n % 1000 < 700 ? 0 : 8;
      const a = queued.expectedCount(9, I, null, 0, dt);
      const b = scanned.expectedCount(9, I, null, 0, dt);
      expect(a, `step ${n}`).toBe(b);
      expect(queued.meanV).toBe(scanned.meanV);
      if (tracks.length > 0) expect([tracks[0].spikeW, tracks[0].meanX]).toEqual([tracks[1].spikeW, tracks[1].meanX]);
      const count = a * dt < 0 ? 0 : uniform() < a / (a + 1) ? Math.ceil(a) : 0;
      if (count === 0) zeros++;
      queued.commit(count);
      scanned.commit(count);
      opened.push(count);
      if (n === 1500) {
        queued.kick(0.05);
        scanned.kick(0.05);
      }
      // The kicked bin is queued without a count of its own until it leaves the window.
      if (n >= 1500 && n < 1500 + queued.K) continue;
      // The queue holds the bins opened with spikes within the last K steps, and no other.
      const recent = opened.slice(-queued.K).filter((c) => c !== 0).length;
      expect(queued.occupiedBins(), `step ${n}`).toBe(recent);
    }
    expect(queued.accounted()).toBe(scanned.accounted());
    // The comparison covered both kinds of step.
    expect(zeros).toBeGreaterThan(500);
    expect(zeros).toBeLessThan(2700);
  });
});
