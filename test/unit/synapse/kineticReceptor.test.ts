import { describe, expect, it } from 'vitest';
import {
  KINETIC_PRESETS,
  createKineticState,
  kineticAdvance,
  kineticDecayPropagator,
  kineticDecayStep,
  kineticInput,
  kineticOnSpike,
  kineticPulseRate,
  kineticSteadyOpen,
  type KineticReceptorParams,
} from '../../../src/synapse/kineticReceptor';
import { nmdaBlock } from '../../../src/synapse/filters';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const PRESETS = Object.entries(KINETIC_PRESETS) as [string, KineticReceptorParams][];

describe('two-state kinetic receptor with a rectangular transmitter pulse', () => {
  for (const [name, p] of PRESETS) {
    it(`${name}: one pulse by hand — s(dur) = s∞(1 − e^{−k·dur}), then s(dur)e^{−β(t − dur)} (rel 1e-14)`, () => {
      const st = createKineticState(1, 0);
      kineticOnSpike(p, st, 0, 0);
      kineticAdvance(p, st, 0, p.pulseDuration);
      const k = kineticPulseRate(p);
      const sEnd = kineticSteadyOpen(p) * (1 - Math.exp(-k * p.pulseDuration));
      expect(rel(st.s[0], sEnd)).toBeLessThan(1e-14);
      kineticAdvance(p, st, 0, 0.01);
      expect(rel(st.s[0], sEnd * Math.exp(-p.beta * (0.01 - p.pulseDuration)))).toBeLessThan(1e-14);
    });

    it(`${name}: many small steps across pulse boundaries = one big step, and ∫s adds up (rel 1e-12)`, () => {
      const st = createKineticState(2, 0);
      const spikes = [0.0002, 0.0009, 0.0043]; // the second spike extends the first pulse
      // gate 0: advanced on a grid of 997 steps (pulse ends fall inside steps);
      // gate 1: advanced only at the spikes and at the end (one step spans the end of the pulse).
      let int0 = 0;
      let int1 = 0;
      let next = 0;
      const tEnd = 0.02;
      const n = 997;
      for (let k = 1; k <= n; k++) {
        const t = (tEnd * k) / n;
        while (next < spikes.length && spikes[next] <= t) {
          int0 += kineticOnSpike(p, st, 0, spikes[next]);
          next++;
        }
        int0 += kineticAdvance(p, st, 0, t);
      }
      for (const t of spikes) int1 += kineticOnSpike(p, st, 1, t);
      int1 += kineticAdvance(p, st, 1, tEnd);
      expect(rel(st.s[0], st.s[1])).toBeLessThan(1e-12);
      expect(rel(int0, int1)).toBeLessThan(1e-12);
      // Overlap: the first two spikes make one pulse [0.0002, 0.0019] of amplitude Tmax (no summation).
      const one = createKineticState(1, 0);
      one.pulseEnd[0] = 0.0009 + p.pulseDuration;
      one.tLast[0] = 0.0002;
      kineticAdvance(p, one, 0, 0.0043);
      const two = createKineticState(1, 0);
      kineticOnSpike(p, two, 0, 0.0002);
      kineticOnSpike(p, two, 0, 0.0009);
      kineticAdvance(p, two, 0, 0.0043);
      expect(rel(two.s[0], one.s[0])).toBeLessThan(1e-14);
    });

    it(`${name}: the returned ∫s matches trapezoidal quadrature of s(t) (rel 1e-7)`, () => {
      const st = createKineticState(2, 0);
      kineticOnSpike(p, st, 0, 0);
      kineticOnSpike(p, st, 1, 0);
      const total = kineticAdvance(p, st, 0, 0.005);
      const n = 50_000;
      let prev = 0;
      let trap = 0;
      for (let k = 1; k <= n; k++) {
        kineticAdvance(p, st, 1, (0.005 * k) / n);
        trap += (0.5 * (prev + st.s[1]) * 0.005) / n;
        prev = st.s[1];
      }
      // Trapezoid error ~ h²/12 · |s''| · T, well below 1e-7 relative at h = 0.1 µs.
      expect(rel(trap, total)).toBeLessThan(1e-7);
    });
  }

  it('a long pulse reaches s∞ = αT/(αT + β) (rel 1e-12)', () => {
    const p = { ...KINETIC_PRESETS.ampa, pulseDuration: 1 };
    const st = createKineticState(1, 0);
    kineticOnSpike(p, st, 0, 0);
    kineticAdvance(p, st, 0, 0.5); // 0.5 s ≫ 1/(αT + β) ≈ 0.8 ms
    expect(rel(st.s[0], 1100 / (1100 + 190))).toBeLessThan(1e-12);
  });

  it('NMDA current carries the magnesium block; AMPA does not', () => {
    const nmda = KINETIC_PRESETS.nmda;
    expect(rel(kineticInput(nmda, 2, 0.25, -65), -2 * 0.25 * nmdaBlock(-65, 1) * -65)).toBeLessThan(1e-15);
    expect(kineticInput(KINETIC_PRESETS.ampa, 2, 0.25, -65)).toBe(32.5);
    expect(kineticInput(KINETIC_PRESETS.gabaA, 1, 0.5, -70)).toBe(-5);
  });
});

describe('decay propagator (a gate after its pulse, fixed step)', () => {
  for (const [name, p] of PRESETS) {
    it(`${name}: 200 steps equal kineticAdvance step by step (s and ∫s, rel 1e-13)`, () => {
      const dt = 1e-4;
      const prop = kineticDecayPropagator(p, dt);
      const a = createKineticState(1, 0);
      kineticOnSpike(p, a, 0, 0);
      kineticAdvance(p, a, 0, 10 * dt); // past the 1 ms pulse
      const b = createKineticState(1, 0);
      b.s[0] = a.s[0];
      b.tLast[0] = a.tLast[0];
      b.pulseEnd[0] = a.pulseEnd[0];
      expect(a.s[0]).toBeGreaterThan(0.01);
      for (let n = 11; n <= 210; n++) {
        const ia = kineticAdvance(p, a, 0, n * dt);
        const ib = kineticDecayStep(prop, b, 0, n * dt);
        expect(rel(ib, ia)).toBeLessThan(1e-13);
        expect(rel(b.s[0], a.s[0])).toBeLessThan(1e-13);
        expect(b.tLast[0]).toBe(n * dt);
      }
    });
  }
});
