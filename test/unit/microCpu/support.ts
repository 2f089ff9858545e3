/** Scenario builders and small statistics for the micro-cpu tests (not a test file). */
import { parseScenario } from '../../../src/model/validate';
import type { Scenario, ScenarioInput } from '../../../src/model/scenario';

export function scenario(s: Omit<ScenarioInput, 'name'> & { name?: string }): Scenario {
  return parseScenario({ name: 'test', ...s });
}

/** A LIF population that never fires (threshold far away): a probe for the synaptic input. */
export function probe(N = 1, extra: Record<string, unknown> = {}) {
  return { model: 'lif' as const, N, tauM: 0.02, mu: { type: 'constant' as const, value: 0 }, uReset: 0, tRef: 0, uTh: 1e9, ...extra };
}

/** A Poisson source that spikes with probability 1 in step `n` only (rate·dt = 1e9·dt makes 1 − e^{−r dt} round to 1). */
export function singleSpikeSource(n: number, dt: number, N = 1) {
  return { model: 'poisson' as const, N, rate: { type: 'steps' as const, times: [n * dt, (n + 1) * dt], values: [0, 1e9, 0] } };
}

export function mean(a: ArrayLike<number>, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
}

/** Sample mean and its standard error over independent values. */
export function meanSe(a: ArrayLike<number>): { mean: number; se: number; sd: number } {
  const m = mean(a);
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - m) ** 2;
  v /= a.length - 1;
  return { mean: m, se: Math.sqrt(v / a.length), sd: Math.sqrt(v) };
}

/** Parameters of an escape-noise LIF neuron under constant drive μ. */
export interface GlifConstant {
  tauM: number;
  mu: number;
  uReset: number;
  tRef: number;
  c: number;
  deltaU: number;
  uTh: number;
}

/**
 * Stationary rate of the discrete-time renewal process the engines' GLIF discretisation defines
 * (docs/step-semantics.md step 3): after a spike, R = round(tRef/dt) refractory steps, then free
 * steps from V = u_r; free step k fires with P_k = 1 − exp(−dt c (e^{(V_{k−1} − θ)/Δu} + e^{(V_k − θ)/Δu})/2).
 * E[ISI] = dt·(R + Σ_{j≥0} S_j), S_j the survival.
 */
export function discreteRenewalRate(p: GlifConstant, dt: number): number {
  const R = Math.round(p.tRef / dt);
  const decay = Math.exp(-dt / p.tauM);
  let v = p.uReset;
  let surv = 1;
  let eFree = 0;
  for (let _k = 1; surv > 1e-18; _k++) {
    eFree += surv;
    const v1 = p.mu + (v - p.mu) * decay;
    surv *= Math.exp(-0.5 * dt * p.c * (Math.exp((v - p.uTh) / p.deltaU) + Math.exp((v1 - p.uTh) / p.deltaU)));
    v = v1;
  }
  return 1 / (dt * (R + eFree));
}
