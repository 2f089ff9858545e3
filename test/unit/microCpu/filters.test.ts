import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { dualExpImpulse, dualExpKickScale, exponentialImpulse, exponentialKickScale, nmdaBlock } from '../../../src/synapse/filters';
import { createKineticState, kineticAdvance, kineticOnSpike, KINETIC_PRESETS } from '../../../src/synapse/kineticReceptor';
import { probe, scenario, singleSpikeSource } from './support';

const dt = 1e-4;
const spikeStep = 20;
const tauM = 0.02;

/** Input into probe neuron 0 per step (binSize = dt) after one spike of the source in step `spikeStep`. */
function trace(projection: Record<string, unknown>, post = probe(1), steps = 600) {
  const s = scenario({
    populations: { src: singleSpikeSource(spikeStep, dt), post },
    projections: [{ from: 'src', to: 'post', connectivity: { type: 'all-to-all' }, delay: 5 * dt, ...projection } as never],
    run: { dt, duration: steps * dt, seed: 1 },
    record: { inputs: [{ population: 'post', neurons: 1 }] },
  });
  const r = simulateMicroCpu(s);
  expect(r.spikes).toEqual({});
  return r.inputs.post.sampled;
}

describe('delays', () => {
  for (const d of [1, 5, 37]) {
    it(`a spike in step m arrives in step m + ${d} (exponential and delta filters)`, () => {
      for (const filter of [{ type: 'exponential', tau: 0.005 }, { type: 'delta' }]) {
        const I = trace({ weight: 1, delay: d * dt, filter });
        const first = I.findIndex((v) => v !== 0);
        expect(first).toBe(spikeStep + d);
        if (filter.type === 'delta') {
          // A delta synapse appears in the recorded input as τm·J/dt during its arrival step only.
          expect(I[first]).toBeCloseTo(tauM / dt, 9);
          expect(I[first + 1]).toBe(0);
        }
      }
    });
  }
});

describe('linear filters: input after one spike equals the closed-form impulse response at step starts', () => {
  const J = 0.7;
  const a = spikeStep + 5; // arrival step
  // Rounding of the repeated propagator grows like n·ε: 1e-11 relative over 600 steps is ample.
  const close = (got: ArrayLike<number>, want: (t: number) => number) => {
    for (let n = 0; n < got.length; n++) {
      const w = n < a ? 0 : want((n - a) * dt);
      expect(Math.abs(got[n] - w)).toBeLessThanOrEqual(1e-11 * Math.abs(w) + 1e-300);
    }
  };
  for (const norm of ['integral', 'peak'] as const) {
    const out = norm === 'integral' ? tauM : 1; // 'integral': the input is τm·J·Σwκ
    it(`exponential (${norm})`, () => {
      const q = { tauS: 0.005 };
      close(trace({ weight: J, filter: { type: 'exponential', tau: q.tauS }, normalize: norm }), (t) => out * J * exponentialKickScale(q, norm) * exponentialImpulse(q, t));
    });
    it(`dual exponential (${norm})`, () => {
      const q = { tauRise: 0.002, tauDecay: 0.008 };
      close(trace({ weight: J, filter: { type: 'dual-exponential', ...q }, normalize: norm }), (t) => out * J * dualExpKickScale(q, norm) * dualExpImpulse(q, t));
    });
    it(`alpha (${norm})`, () => {
      const q = { tauRise: 0.004, tauDecay: 0.004 };
      close(trace({ weight: J, filter: { type: 'alpha', tau: 0.004 }, normalize: norm }), (t) => out * J * dualExpKickScale(q, norm) * dualExpImpulse(q, t));
    });
  }

  it('integral normalisation: a fast exponential synapse moves V by the same J as a delta synapse', () => {
    // With 'integral', ∫(input)/τm = J: the summed trace times dt/τm is J (up to the step sampling, 1 %).
    const I = trace({ weight: J, filter: { type: 'exponential', tau: 0.002 } });
    let s = 0;
    for (const v of I) s += (v * dt) / tauM;
    expect(s / J).toBeGreaterThan(0.97);
    expect(s / J).toBeLessThan(1.03);
  });

  it('conductance output: input = −g(V − E)·B(V + rest), g peak-normalised by default', () => {
    // The probe rests at V0 = μ = −5 mV; g = 1e-6 moves V by < 1e-5 mV, so V ≈ −5 to relative 1e-6.
    const post = probe(1, { mu: { type: 'constant', value: -5 }, V0: -5, restPotential: -70 });
    const q = { tauS: 0.005 };
    const g = 1e-6;
    const I = trace({ weight: g, filter: { type: 'exponential', tau: q.tauS }, output: { type: 'conductance', E: 70, mgBlock: { Mg: 1 } } }, post);
    for (let n = a; n < I.length; n++) {
      const want = -g * exponentialImpulse(q, (n - a) * dt) * (-5 - 70) * nmdaBlock(-75, 1);
      expect(Math.abs(I[n] - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want));
    }
  });
});

describe('kinetic receptor', () => {
  it('AMPA: the input is −J·(∫s over the step/dt)·(V − E), s stepped by kineticOnSpike/kineticAdvance from the arrival', () => {
    const post = probe(1, { mu: { type: 'constant', value: -5 }, V0: -5 });
    const g = 1e-6;
    const I = trace({ weight: g, filter: { type: 'kinetic', receptor: 'AMPA' }, output: { type: 'conductance', E: 0 } }, post);
    const a = spikeStep + 5;
    const st = createKineticState(1, 0);
    const p = { ...KINETIC_PRESETS.ampa, Erev: 0 };
    for (let n = 0; n < I.length; n++) {
      if (n === a) kineticOnSpike(p, st, 0, n * dt);
      const sMean = n < a ? 0 : kineticAdvance(p, st, 0, (n + 1) * dt) / dt;
      const want = -g * sMean * (-5 - 0);
      // V stays −5 mV to relative 1e-6 (g = 1e-6); the gate arithmetic is identical.
      expect(Math.abs(I[n] - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want));
    }
    expect(Math.max(...I)).toBeGreaterThan(0);
  });
});
