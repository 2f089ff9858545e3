import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { discreteRenewalRate, meanSe, scenario } from './support';

describe('deterministic LIF: f–I curve', () => {
  const dt = 1e-4;
  const tauM = 0.02;
  const uR = 0;
  const uTh = 15;
  const tRef = 0.002;
  const R = Math.round(tRef / dt);
  const mus = [16, 20, 30, 60];

  it('fires periodically with R + k steps, k the first step end with V ≥ u_th, within one dt of tRef + τm ln((μ − u_r)/(μ − u_th))', () => {
    const pops: Record<string, unknown> = {};
    mus.forEach((mu, i) => {
      pops[`p${i}`] = { model: 'lif', N: 1, tauM, mu: { type: 'constant', value: mu }, uReset: uR, tRef, uTh };
    });
    const s = scenario({
      populations: pops as never,
      run: { dt, duration: 0.5, seed: 1 },
      record: { spikes: mus.map((_, i) => ({ population: `p${i}`, neurons: 1 })) },
    });
    const r = simulateMicroCpu(s);
    mus.forEach((mu, i) => {
      // The same discretisation as the engine: V_{j+1} = μ + (V_j − μ)e^{−dt/τm} from u_r.
      const decay = Math.exp(-dt / tauM);
      let v = uR;
      let k = 0;
      while (v < uTh) {
        v = mu + (v - mu) * decay;
        k++;
      }
      const closed = tRef + tauM * Math.log((mu - uR) / (mu - uTh));
      expect((R + k) * dt - closed).toBeGreaterThanOrEqual(-1e-12);
      expect((R + k) * dt - closed).toBeLessThan(dt);
      const times = r.spikes[`p${i}`].time;
      // From V0 = u_r without refractoriness the first spike is drawn in free step k, i.e. at t_{k−1}.
      expect(times[0]).toBeCloseTo((k - 1) * dt, 12);
      for (let q = 1; q < times.length; q++) expect(Math.round((times[q] - times[q - 1]) / dt)).toBe(R + k);
      expect(times.length).toBe(1 + Math.floor((0.5 / dt - k) / (R + k)));
    });
  });
});

describe('escape-noise LIF (GLIF) with constant drive', () => {
  it('stationary rate equals the discrete-time renewal rate of its own hazard discretisation (within 4 s.e.)', () => {
    const dt = 5e-4;
    // A regular regime (ISI CV² ≈ 0.035) in which the counts resolve the discretisation: with these
    // samples, λ taken at the step start only or at the end only would move the oracle by ≈ 8 s.e., and
    // one refractory step more or less by ≈ 15 s.e.
    const p = { tauM: 0.02, mu: 18, uReset: 0, tRef: 0.004, c: 20, deltaU: 1, uTh: 15 };
    const N = 1000;
    const trials = 2;
    const duration = 3;
    const s = scenario({
      populations: {
        g: { model: 'glif', N, tauM: p.tauM, mu: { type: 'constant', value: p.mu }, uReset: p.uReset, tRef: p.tRef, c: p.c, deltaU: p.deltaU, uTh: p.uTh },
      },
      run: { dt, duration, trials, seed: 3 },
      record: { spikes: [{ population: 'g', neurons: N }] },
    });
    const r = simulateMicroCpu(s);

    // Oracle: the renewal rate of the engine's own hazard discretisation.
    const rate = discreteRenewalRate(p, dt);

    // Counts per neuron after a 0.5 s burn-in (neurons are independent: s.e. from their spread).
    const burn = 0.5;
    const counts = new Float64Array(N * trials);
    const sp = r.spikes.g;
    for (let q = 0; q < sp.time.length; q++) if (sp.time[q] >= burn - 1e-12) counts[sp.trial[q] * N + sp.neuron[q]]++;
    const { mean, se } = meanSe(counts);
    const window = duration - burn;
    expect(rate).toBeGreaterThan(5); // a regime with enough spikes to resolve the rate
    expect(Math.abs(mean / window - rate)).toBeLessThan((4 * se) / window);
  });

  it('adaptation lowers the rate (threshold kicks J/τ per spike)', () => {
    const base = {
      model: 'glif' as const,
      N: 200,
      tauM: 0.02,
      mu: { type: 'constant' as const, value: 14 },
      uReset: 0,
      tRef: 0.002,
      c: 10,
      deltaU: 2,
      uTh: 15,
    };
    const s = scenario({
      populations: { a: base, b: { ...base, adaptation: [{ J: 0.5, tau: 0.1 }] } },
      run: { dt: 5e-4, duration: 1, seed: 4 },
      record: { binSize: 1 },
    });
    const r = simulateMicroCpu(s);
    expect(r.activity.b[0]).toBeLessThan(0.8 * r.activity.a[0]);
  });
});
