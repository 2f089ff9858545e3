/** Population builders the GPU tests share (not a test file): V5's escape-noise neuron and a constant-rate Poisson source. */

/** An escape-noise LIF population (τm = 20 ms, u_th = 15 mV, Δu = 2 mV, c = 10 Hz, 2 ms refractory) with constant drive μ; `extra` overrides or adds fields. */
export const glif = (N: number, mu: number, extra: Record<string, unknown> = {}) => ({
  model: 'glif' as const,
  N,
  tauM: 0.02,
  mu: { type: 'constant' as const, value: mu },
  uReset: 0,
  tRef: 0.002,
  c: 10,
  deltaU: 2,
  uTh: 15,
  ...extra,
});

/** A Poisson population at a constant rate (Hz). */
export const poisson = (N: number, rate: number) => ({ model: 'poisson' as const, N, rate: { type: 'constant' as const, value: rate } });
