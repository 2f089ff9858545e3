/** connectivity.perTrial in the CPU engine: a network per trial, fixed by the global trial index. */
import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { mergeRecordings } from '../../../src/model/mergeRecordings';
import { validateScenario } from '../../../src/model/validate';
import { probe, scenario, singleSpikeSource } from './support';

const dt = 5e-4;
const tauM = 0.02;

const volley = (perTrial: boolean, trials = 4) =>
  scenario({
    populations: { src: singleSpikeSource(2, dt, 400), post: probe(50) },
    projections: [{ from: 'src', to: 'post', connectivity: { type: 'fixed-probability', p: 0.1, perTrial }, weight: 1, delay: dt, filter: { type: 'delta' } }],
    run: { dt, duration: 6 * dt, trials, seed: 3 },
    record: { activity: true, inputs: [{ population: 'post', neurons: 50 }] },
  });

/** In-degree of each post neuron in each trial, read from the volley's recorded input. */
function inDegrees(r: ReturnType<typeof simulateMicroCpu>): number[][] {
  return Array.from({ length: r.trials }, (_, b) =>
    Array.from({ length: 50 }, (_, i) => Math.round((r.inputs.post.sampled[(b * 50 + i) * 6 + 3] * dt) / tauM)),
  );
}

describe('connectivity drawn per trial (micro-cpu)', () => {
  it('shared by default; with perTrial every trial has its own in-degrees, with the binomial mean', () => {
    const shared = inDegrees(simulateMicroCpu(volley(false)));
    for (let b = 1; b < 4; b++) expect(shared[b]).toEqual(shared[0]);
    const own = inDegrees(simulateMicroCpu(volley(true)));
    for (let b = 1; b < 4; b++) expect(own[b]).not.toEqual(own[0]);
    const all = own.flat();
    const mean = all.reduce((a, v) => a + v, 0) / all.length;
    // 200 binomial(400, 0.1) draws: s.e. of the mean 6/√200 ≈ 0.42.
    expect(Math.abs(mean - 40)).toBeLessThan(4 * 0.43);
  });

  it('a trial keeps its network whatever the split of the trials into ranges', () => {
    const s = volley(true);
    const whole = simulateMicroCpu(s);
    const merged = mergeRecordings([simulateMicroCpu(s, { trialRange: [0, 1] }), simulateMicroCpu(s, { trialRange: [1, 4] })]);
    expect(Array.from(merged.inputs.post.sampled)).toEqual(Array.from(whole.inputs.post.sampled));
  });

  it('refuses per-trial networks with per-synapse parameters, naming the field', () => {
    const r = validateScenario({
      name: 't',
      populations: { src: { model: 'poisson', N: 10, rate: { type: 'constant', value: 5 } }, post: probe(5) },
      projections: [
        {
          from: 'src',
          to: 'post',
          connectivity: { type: 'fixed-indegree', C: 3, perTrial: true },
          weight: 1,
          delay: dt,
          filter: { type: 'delta' },
          heterogeneity: { weight: { distribution: 'lognormal', cv: 0.5 } },
        },
      ],
      run: { dt, duration: 0.01, trials: 2, seed: 1 },
      record: { activity: true },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain('projections[0].connectivity.perTrial');
  });
});
