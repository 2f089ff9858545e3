import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { philox4x32, uniformFromBits } from '../../../src/rng/philox';
import { binomialCdfTable, drawPoissonEvents, POISSON_EVENTS_MAX_K, usesPoissonEvents } from '../../../src/rng/poissonEvents';
import { Purpose, purposeWord } from '../../../src/rng/streams';
import { meanSe, scenario } from './support';

describe('Poisson population', () => {
  const dt = 0.001;
  const rate = 40;
  const p = -Math.expm1(-rate * dt); // spike probability per neuron and step
  const N = 100;
  const steps = 4000;
  const trials = 4;
  const bin = 10; // steps per bin
  const s = scenario({
    populations: { src: { model: 'poisson', N, rate: { type: 'constant', value: rate } } },
    run: { dt, duration: steps * dt, trials, seed: 7 },
    record: { binSize: bin * dt, spikes: [{ population: 'src', neurons: N }] },
  });
  const r = simulateMicroCpu(s);

  it('fires at (1 − e^{−r dt})/dt per neuron (within 4 s.e. of the binomial count)', () => {
    const act = r.activity.src;
    expect(act.length).toBe(trials * (steps / bin));
    const total = N * steps * trials;
    let count = 0;
    for (let k = 0; k < act.length; k++) count += act[k] * N * bin * dt;
    // Count ~ Binomial(total, p): s.e. of the estimated probability sqrt(p(1 − p)/total).
    const se = Math.sqrt((p * (1 - p)) / total);
    expect(Math.abs(count / total - p)).toBeLessThan(4 * se);
    expect(r.spikes.src.trial.length).toBe(Math.round(count));
  });

  it('spike counts per bin have Fano factor 1 − p (Bernoulli steps), within 4 s.e.', () => {
    // Population count per bin ~ Binomial(N·bin, p): Fano = 1 − p. For near-Gaussian counts the
    // sample variance has relative s.e. sqrt(2/(n − 1)), which is the s.e. of the Fano factor.
    const counts = Float64Array.from(r.activity.src, (a) => Math.round(a * N * bin * dt));
    const { mean, sd } = meanSe(counts);
    const fano = (sd * sd) / mean;
    const se = (1 - p) * Math.sqrt(2 / (counts.length - 1));
    expect(Math.abs(fano - (1 - p))).toBeLessThan(4 * se);
  });

  it('draws by the event scheme: each step and trial the neurons of drawPoissonEvents (src/rng/poissonEvents.ts)', () => {
    expect(usesPoissonEvents(N, p)).toBe(true);
    const table = binomialCdfTable(N, p);
    if (!table) throw new Error('no table');
    const words = new Uint32Array(4);
    const out = new Int32Array(POISSON_EVENTS_MAX_K);
    const spikes = r.spikes.src;
    let q = 0;
    for (let trial = 0; trial < trials; trial++) {
      for (let n = 0; n < steps; n++) {
        const K = drawPoissonEvents(table, N, 7, 0, n, trial, words, out);
        for (let m = 0; m < K; m++, q++) expect([spikes.trial[q], spikes.neuron[q], spikes.time[q]]).toEqual([trial, out[m], n * dt]);
      }
    }
    expect(q).toBe(spikes.trial.length);
  });
});

describe('Poisson population, dense scheme (N·p too large for the event scheme)', () => {
  const dt = 0.001;
  const rate = 300;
  const p = -Math.expm1(-rate * dt);
  const N = 600;
  const trials = 2;
  const s = scenario({
    populations: { src: { model: 'poisson', N, rate: { type: 'constant', value: rate } } },
    run: { dt, duration: 300 * dt, trials, seed: 7 },
    record: { spikes: [{ population: 'src', neurons: N }] },
  });
  const r = simulateMicroCpu(s);

  it('draws exactly Philox(key (seed, population index), counter (⌊i/4⌋, n, trial, spike))[i mod 4] < p', () => {
    expect(usesPoissonEvents(N, p)).toBe(false);
    const spikes = r.spikes.src;
    let q = 0;
    for (let trial = 0; trial < trials; trial++) {
      for (let n = 0; n < 300; n++) {
        for (let i = 0; i < N; i++) {
          const u = uniformFromBits(philox4x32([i >>> 2, n, trial, purposeWord(Purpose.spike)], [7, 0])[i & 3]);
          if (u < p) {
            expect([spikes.trial[q], spikes.neuron[q], spikes.time[q]]).toEqual([trial, i, n * dt]);
            q++;
          }
        }
      }
    }
    expect(q).toBe(spikes.trial.length);
  });
});

describe('Poisson population, time-varying rate (event scheme)', () => {
  const dt = 0.0005;
  const N = 200;
  const trials = 50;
  const rates = [5, 40, 0, 20];
  const times = [0.25, 0.5, 0.75];
  const s = scenario({
    populations: { src: { model: 'poisson', N, rate: { type: 'steps', times, values: rates } } },
    run: { dt, duration: 1, trials, seed: 3 },
    record: { binSize: 0.25 },
  });
  const r = simulateMicroCpu(s);

  it('fires in each segment at (1 − e^{−r dt})/dt within 4 s.e. of the binomial count, and not at all at rate 0', () => {
    const act = r.activity.src;
    expect(act.length).toBe(trials * 4);
    for (let k = 0; k < 4; k++) {
      const p = -Math.expm1(-rates[k] * dt);
      const draws = N * (0.25 / dt) * trials;
      let count = 0;
      for (let b = 0; b < trials; b++) count += act[b * 4 + k] * N * 0.25;
      const se = Math.sqrt((p * (1 - p)) / draws);
      if (p === 0) expect(count).toBe(0);
      else expect(Math.abs(count / draws - p), `segment ${k}`).toBeLessThan(4 * se);
    }
  });
});
