import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { philox4x32, uniformFromBits } from '../../../src/rng/philox';
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

  it('draws exactly Philox(key (seed, population index), counter (⌊i/4⌋, n, trial, spike))[i mod 4] < p', () => {
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
      while (q < spikes.trial.length && spikes.trial[q] === trial) q++;
    }
  });
});
