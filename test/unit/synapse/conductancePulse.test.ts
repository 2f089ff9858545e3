import { describe, expect, it } from 'vitest';
import { blockedPulseJump, pulseJump } from '../../../src/synapse/conductancePulse';
import { nmdaBlock } from '../../../src/synapse/filters';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/**
 * The membrane under short pulses of one common shape κ(t) = e^{−t/τ}/τ, integral-normalised:
 * τm dV/dt = −(V − μ) + τm κ(t) (c − Σ_k W_k B_k(V)(V − E_k)), solved by RK4 with h = τ/400 up to
 * 40τ (the pulse's rate W/τ times h stays ≤ 0.01, so RK4's own error is far below what is tested).
 * The result is V at 40τ; the τ → 0 limit is the jump.
 */
function shortPulse(V0: number, mu: number, tauM: number, tau: number, c: number, pulses: { W: number; E: number; mg?: number }[], rest: number): number {
  const h = tau / 400;
  const rhs = (t: number, v: number) => {
    let syn = c;
    for (const p of pulses) syn -= p.W * (p.mg ? nmdaBlock(v + rest, p.mg) : 1) * (v - p.E);
    return (-(v - mu) + tauM * (Math.exp(-t / tau) / tau) * syn) / tauM;
  };
  let v = V0;
  for (let n = 0; n < 16000; n++) {
    const t = n * h;
    const k1 = rhs(t, v);
    const k2 = rhs(t + h / 2, v + (h / 2) * k1);
    const k3 = rhs(t + h / 2, v + (h / 2) * k2);
    const k4 = rhs(t + h, v + h * k3);
    v += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return v;
}

describe('delta conductance: the instantaneous pulse', () => {
  it('one pulse: V⁺ = E + (V⁻ − E)e^{−W} (rel 1e-15); no conductance: V⁻ + c exactly; a huge W lands on (c + WE)/W', () => {
    for (const [V, E, W] of [
      [10, -20, 0.3],
      [-5, 60, 1.7],
      [0, 0, 0.1],
      [3, 70, 1e-9],
    ]) {
      const want = E + (V - E) * Math.exp(-W);
      expect(Math.abs(pulseJump(V, 0, W, W * E) - want)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)));
    }
    expect(pulseJump(-3.25, 1.5, 0, 0)).toBe(-3.25 + 1.5);
    expect(rel(pulseJump(5, 2, 800, 800 * -10), (2 + 800 * -10) / 800)).toBeLessThan(1e-15);
  });

  it('pulses of one instant compose: two of weights W1, W2 and equal E are one of W1 + W2 (rel 1e-14)', () => {
    const a = pulseJump(pulseJump(7, 0, 0.2, 0.2 * -15), 0, 0.5, 0.5 * -15);
    expect(rel(a, pulseJump(7, 0, 0.7, 0.7 * -15))).toBeLessThan(1e-14);
  });

  it('is the τ → 0 limit of an integral-normalised exponential conductance (error falls ∝ τ, below 3τ/τm of the jump)', () => {
    // Two reversal potentials and a current kick at once: the limit of pulses of a common shape.
    const tauM = 0.02;
    const V0 = 4;
    const pulses = [
      { W: 0.4, E: 60 },
      { W: 0.25, E: -15 },
    ];
    const c = 2.5;
    const jump = pulseJump(V0, c, 0.65, 0.4 * 60 + 0.25 * -15);
    const errors = [2e-4, 2e-5, 2e-6].map((tau) => {
      // After 40τ the leak has pulled V toward μ = V0 by a factor e^{−40τ/τm}: compare with the jump relaxed alike.
      const relaxed = V0 + (jump - V0) * Math.exp((-40 * tau) / tauM);
      return Math.abs(shortPulse(V0, V0, tauM, tau, c, pulses, -65) - relaxed) / Math.abs(jump - V0);
    });
    expect(errors[0]).toBeLessThan(0.02);
    expect(errors[1]).toBeLessThan(errors[0] / 5);
    expect(errors[2]).toBeLessThan(errors[1] / 5);
    expect(errors[2]).toBeLessThan(3e-4); // τ/τm = 1e-4
  });
});

describe('delta conductance with an NMDA block: RK4 with substep doubling', () => {
  /**
   * The exact jump of one blocked pulse solves, with ℓ = ln|V − E|, dℓ/dσ = −W B(V): so
   * ∫_{ℓ⁺}^{ℓ⁻} dℓ / B(E ± e^ℓ + rest) = W (the integrand is smooth; Simpson on 4000 intervals).
   */
  function impliedWeight(Vminus: number, Vplus: number, E: number, mg: number, rest: number): number {
    const sgn = Math.sign(Vminus - E);
    const l0 = Math.log(Math.abs(Vplus - E));
    const l1 = Math.log(Math.abs(Vminus - E));
    const f = (l: number) => 1 / nmdaBlock(E + sgn * Math.exp(l) + rest, mg);
    const n = 4000;
    const h = (l1 - l0) / n;
    let s = f(l0) + f(l1);
    for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * f(l0 + k * h);
    return (s * h) / 3;
  }

  it('one blocked pulse satisfies the exact implicit relation (|ΔW| < 1e-10) for depolarising and hyperpolarising cases', () => {
    const one = (x: number) => Float64Array.of(x);
    for (const [V, E, W, mg, rest] of [
      [0, 70, 0.5, 1, -65],
      [-10, 70, 3, 1, -70],
      [40, 0, 1.2, 2, -65],
      [5, 65, 0.05, 1, -65],
    ]) {
      const Vp = blockedPulseJump(V, 0, 0, 0, one(W), one(E), one(mg), 1, rest);
      expect(Math.abs(impliedWeight(V, Vp, E, mg, rest) - W)).toBeLessThan(1e-10);
      // The block only weakens the pulse: the jump lies between none and the unblocked one.
      const free = pulseJump(V, 0, W, W * E);
      expect((Vp - V) * (free - V)).toBeGreaterThan(0);
      expect(Math.abs(Vp - V)).toBeLessThan(Math.abs(free - V));
    }
  });

  it('mixed with unblocked pulses and a current kick it matches a 20000-step RK4 of the jump ODE (1e-10 mV), and B → 1 gives pulseJump', () => {
    const w = Float64Array.of(0.8, 0.3);
    const E = Float64Array.of(70, 70);
    const mg = Float64Array.of(1, 2);
    const rest = -65;
    const V = -3;
    const c = 1.2;
    const W = 0.4;
    const WE = 0.4 * -15;
    const f = (v: number) => c + WE - W * v - w[0] * nmdaBlock(v + rest, mg[0]) * (v - E[0]) - w[1] * nmdaBlock(v + rest, mg[1]) * (v - E[1]);
    let v = V;
    const h = 1 / 20000;
    for (let n = 0; n < 20000; n++) {
      const k1 = f(v);
      const k2 = f(v + (h / 2) * k1);
      const k3 = f(v + (h / 2) * k2);
      const k4 = f(v + h * k3);
      v += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    expect(Math.abs(blockedPulseJump(V, c, W, WE, w, E, mg, 2, rest) - v)).toBeLessThan(1e-10);
    // [Mg²⁺] → 0 removes the block.
    const tiny = Float64Array.of(1e-300, 1e-300);
    expect(Math.abs(blockedPulseJump(V, c, W, WE, w, E, tiny, 2, rest) - pulseJump(V, c, W + 1.1, WE + 1.1 * 70))).toBeLessThan(1e-10);
    // Zero blocked weight is the closed form exactly.
    expect(blockedPulseJump(V, c, W, WE, new Float64Array(2), E, mg, 2, rest)).toBe(pulseJump(V, c, W, WE));
  });

  it('is the τ → 0 limit of a short blocked conductance (error falls ∝ τ, below 3τ/τm of the jump)', () => {
    const tauM = 0.02;
    const rest = -65;
    const V0 = 2;
    const jump = blockedPulseJump(V0, 0, 0, 0, Float64Array.of(1.5), Float64Array.of(70), Float64Array.of(1), 1, rest);
    const errors = [2e-4, 2e-5, 2e-6].map((tau) => {
      const relaxed = V0 + (jump - V0) * Math.exp((-40 * tau) / tauM);
      return Math.abs(shortPulse(V0, V0, tauM, tau, 0, [{ W: 1.5, E: 70, mg: 1 }], rest) - relaxed) / Math.abs(jump - V0);
    });
    expect(errors[1]).toBeLessThan(errors[0] / 5);
    expect(errors[2]).toBeLessThan(errors[1] / 5);
    expect(errors[2]).toBeLessThan(3e-4);
  });
});
