import { describe, expect, it } from 'vitest';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { cascadeImpulse, cascadeKickScale } from '../../../src/synapse/cascade';
import { blockedPulseJump, pulseJump } from '../../../src/synapse/conductancePulse';
import { dualExpImpulse, dualExpKickScale, exponentialImpulse, exponentialKickScale, nmdaBlock } from '../../../src/synapse/filters';
import { createKineticState, kineticAdvance, kineticOnSpike, KINETIC_PRESETS } from '../../../src/synapse/kineticReceptor';
import { probe, scenario, singleSpikeSource } from './support';

const dt = 1e-4;
const spikeStep = 20;
const tauM = 0.02;

/** Input into probe neuron 0 per step (binSize = dt) after one spike of the source in step `spikeStep`. */
function trace(projection: Record<string, unknown> | Record<string, unknown>[], post = probe(1), steps = 600, step = dt) {
  const list = Array.isArray(projection) ? projection : [projection];
  const s = scenario({
    populations: { src: singleSpikeSource(spikeStep, step), post },
    projections: list.map(
      (p, k) => ({ name: `src->post ${k}`, from: 'src', to: 'post', connectivity: { type: 'all-to-all' }, delay: 5 * step, ...p }) as never,
    ),
    run: { dt: step, duration: steps * step, seed: 1 },
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
      close(
        trace({ weight: J, filter: { type: 'exponential', tau: q.tauS }, normalize: norm }),
        (t) => out * J * exponentialKickScale(q, norm) * exponentialImpulse(q, t),
      );
    });
    it(`dual exponential (${norm})`, () => {
      const q = { tauRise: 0.002, tauDecay: 0.008 };
      close(
        trace({ weight: J, filter: { type: 'dual-exponential', ...q }, normalize: norm }),
        (t) => out * J * dualExpKickScale(q, norm) * dualExpImpulse(q, t),
      );
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

describe('three-state STP in front of a dual-exponential or alpha filter: the cascade y → h → g', () => {
  const J = 0.7;
  const a = spikeStep + 5;
  const U = 0.4;
  for (const norm of ['integral', 'peak'] as const) {
    const out = norm === 'integral' ? tauM : 1;
    for (const [name, filter, taus] of [
      ['dual exponential', { type: 'dual-exponential', tauRise: 0.002, tauDecay: 0.008 }, [0.003, 0.002, 0.008]],
      ['alpha', { type: 'alpha', tau: 0.004 }, [0.003, 0.004, 0.004]],
      ['alpha with τ = τin (all three coincide)', { type: 'alpha', tau: 0.003 }, [0.003, 0.003, 0.003]],
    ] as const) {
      it(`${name} (${norm}): the input after one spike is J·U·(kick)·cascadeImpulse at the step starts (rel 1e-11)`, () => {
        const I = trace({ weight: J, filter, normalize: norm, stp: { model: 'three-state', U, tauIn: 0.003, tauRec: 0.5 } });
        const scale = out * J * U * cascadeKickScale([...taus], norm);
        for (let n = 0; n < I.length; n++) {
          const w = n < a ? 0 : scale * cascadeImpulse([...taus], (n - a) * dt);
          expect(Math.abs(I[n] - w)).toBeLessThanOrEqual(1e-11 * Math.abs(w) + 1e-300);
        }
        expect(Math.max(...I)).toBeGreaterThan(0.1 * scale * cascadeImpulse([...taus], 0.005));
      });
    }
  }
});

describe('delta filter with conductance output: an instantaneous pulse', () => {
  const a = spikeStep + 5;
  const V0 = 10;
  const E = -20;
  const J = 0.3;
  // At rest at μ = V0, V stays exactly V0 until the pulse arrives.
  const post = probe(1, { mu: { type: 'constant', value: V0 }, V0 });
  const jump = E + (V0 - E) * Math.exp(-J) - V0;

  it('the recorded input is τm·(V⁺ − V⁻)/dt in the arrival step, V⁺ = E + (V⁻ − E)e^{−J·w} (rel 1e-12), and 0 otherwise', () => {
    for (const normalize of [undefined, 'integral', 'peak']) {
      const I = trace({ weight: J, filter: { type: 'delta' }, output: { type: 'conductance', E }, ...(normalize ? { normalize } : {}) }, post);
      expect(Math.abs((I[a] * dt) / tauM - jump)).toBeLessThan(1e-12 * Math.abs(jump));
      I.forEach((v, n) => {
        if (n !== a) expect(v).toBe(0);
      });
    }
  });

  it('an integral-normalised exponential conductance converges to it as τ → 0 (∫input/τm → the jump; error ∝ τ)', () => {
    // dt shrinks like τ² so that the step's sampling error (∝ dt/τ) falls with τ as the leak's (∝ τ/τm) does.
    const errors = [1e-3, 2.5e-4, 6.25e-5].map((tau) => {
      const step = (tau * tau) / 0.05;
      const steps = Math.round((40 * tau) / step) + spikeStep + 5;
      const I = trace({ weight: J, filter: { type: 'exponential', tau }, normalize: 'integral', output: { type: 'conductance', E } }, post, steps, step);
      let s = 0;
      for (const v of I) s += (v * step) / tauM;
      return Math.abs(s - jump) / Math.abs(jump);
    });
    // Observed: 1.7 %, 0.44 %, 0.11 % (each τ/4 divides the error by 4).
    expect(errors[0]).toBeLessThan(0.03);
    expect(errors[1]).toBeLessThan(errors[0] / 3);
    expect(errors[2]).toBeLessThan(errors[1] / 3);
    expect(errors[2]).toBeLessThan(0.002);
  });

  it('with an NMDA block the jump is blockedPulseJump at V⁻ (rel 1e-12)', () => {
    const I = trace(
      { weight: 1.5, filter: { type: 'delta' }, output: { type: 'conductance', E: 70, mgBlock: { Mg: 1 } } },
      probe(1, { mu: { type: 'constant', value: 2 }, V0: 2, restPotential: -65 }),
    );
    const want = blockedPulseJump(2, 0, 0, 0, Float64Array.of(1.5), Float64Array.of(70), Float64Array.of(1), 1, -65) - 2;
    expect(Math.abs((I[a] * dt) / tauM - want)).toBeLessThan(1e-12 * Math.abs(want));
    // The block matters here: the unblocked jump is far larger.
    expect(Math.abs(want)).toBeLessThan(0.5 * Math.abs(pulseJump(2, 0, 1.5, 1.5 * 70) - 2));
  });

  it('pulses and current kicks of one step act together, in any projection order (V⁺ = V⁻e^{−W} + (c + WE)(1 − e^{−W})/W)', () => {
    const cond = { weight: 0.5, filter: { type: 'delta' }, output: { type: 'conductance', E: -20 } };
    const nmda = { weight: 0.4, filter: { type: 'delta' }, output: { type: 'conductance', E: 70, mgBlock: { Mg: 1 } } };
    const cur = { weight: 2, filter: { type: 'delta' } };
    const forward = trace([cur, cond], post);
    const backward = trace([cond, cur], post);
    expect(Array.from(backward)).toEqual(Array.from(forward));
    expect(Math.abs((forward[a] * dt) / tauM - (pulseJump(V0, 2, 0.5, 0.5 * -20) - V0))).toBeLessThan(1e-12);
    const blocked = trace([cur, nmda, cond], post);
    const want = blockedPulseJump(V0, 2, 0.5, 0.5 * -20, Float64Array.of(0.4), Float64Array.of(70), Float64Array.of(1), 1, -65) - V0;
    expect(Math.abs((blocked[a] * dt) / tauM - want)).toBeLessThan(1e-12);
    expect(Array.from(trace([nmda, cond, cur], post))).toEqual(Array.from(blocked));
  });
});

describe('delta conductance and refractoriness', () => {
  /** A LIF that fires at t = 0 (V0 above threshold) and is refractory in steps 1 … 40; one pulse arrives in step `arrival`. */
  function run(arrival: number | null) {
    const lif = { model: 'lif' as const, N: 1, tauM, mu: { type: 'constant' as const, value: 20 }, uReset: 0, tRef: 40 * dt, uTh: 15, V0: 20 };
    const s = scenario({
      populations: { src: singleSpikeSource(arrival === null ? 10000 : arrival - 5, dt), post: lif },
      projections: [
        {
          from: 'src',
          to: 'post',
          connectivity: { type: 'all-to-all' },
          weight: 2,
          delay: 5 * dt,
          filter: { type: 'delta' },
          output: { type: 'conductance', E: 60 },
        },
      ],
      run: { dt, duration: 0.05, seed: 1 },
      record: { inputs: [{ population: 'post', neurons: 1 }], spikes: [{ population: 'post', neurons: 1 }] },
    });
    const r = simulateMicroCpu(s);
    return { I: r.inputs.post.sampled, spikes: Array.from(r.spikes.post.time, (t) => Math.round(t / dt)) };
  }

  it('a pulse during the refractory period is lost (V stays u_r) but recorded as the jump from u_r; after it, the pulse acts', () => {
    const none = run(null);
    expect(none.spikes[0]).toBe(0);
    expect(none.spikes[1]).toBeGreaterThan(250);
    const lost = run(25);
    expect(lost.spikes).toEqual(none.spikes);
    expect(Math.abs((lost.I[25] * dt) / tauM - 60 * (1 - Math.exp(-2)))).toBeLessThan(1e-12 * 60);
    // Arriving after the refractory period, the pulse (V → ≈ 52 mV) makes the neuron fire at once.
    expect(run(60).spikes.slice(0, 2)).toEqual([0, 60]);
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
