/**
 * Linear stability of a macro fixed point, measured the way the test phrases it: by a
 * perturbation run. The macro equations start exactly at the fixed point's stationary state
 * (MesoOptions.initial) twice, once as is and once with a fraction ε of every population's
 * neurons moved into the bin of the last step (as if they had just fired). The difference δA(t)
 * of the two activities follows the linearised dynamics while it is small; its envelope grows or
 * decays like e^{λt} with λ the real part of the leading eigenvalue (in 1/s), and its sign changes
 * give the frequency of that eigenvalue's imaginary part when it oscillates.
 *
 * This estimates the leading eigenvalue only (the one that dominates after the first window);
 * a full spectrum would need the Jacobian of the whole state (age bins, filters, delays, STP).
 */
import type { Scenario } from '../model/scenario';
import type { FixedPoint } from './fixedPoints';
import { simulateMeso } from './simulate';
import type { StpMeanFieldOrder } from './stpMeanField';

export interface Stability {
  /** Growth rate λ (1/s) of the perturbation's envelope: < 0 stable, > 0 unstable. */
  growthRate: number;
  /** Frequency (Hz) of the perturbation's oscillation, null when it does not oscillate. */
  frequency: number | null;
  stable: boolean;
  /** The time span (s) over which λ was fitted. */
  fitted: [number, number];
}

export interface StabilityOptions {
  stp?: StpMeanFieldOrder;
  /** Length of the perturbation runs (s, default 2). */
  duration?: number;
  /** ε, the fraction of neurons kicked (default 1e-6). */
  fraction?: number;
}

/** Relative size of δA below which rounding dominates, and above which the response is no longer linear. */
const FLOOR = 1e-11;
const CEILING = 1e-3;

export function perturbationStability(scenario: Scenario, fp: FixedPoint, options: StabilityOptions = {}): Stability {
  const dt = scenario.run.dt;
  const duration = options.duration ?? 2;
  const s: Scenario = {
    ...scenario,
    run: { ...scenario.run, duration: Math.round(duration / dt) * dt, trials: 1 },
    record: { ...scenario.record, activity: true, binSize: dt, inputs: [], stp: false, spikes: [] },
  };
  const pops = Object.keys(s.populations).filter((p) => s.populations[p].model !== 'poisson');
  const base = simulateMeso(s, { level: 'macro', stp: options.stp, initial: { rates: fp.rates } });
  const kicked = simulateMeso(s, {
    level: 'macro',
    stp: options.stp,
    initial: { rates: fp.rates, kick: { population: pops[0], fraction: options.fraction ?? 1e-6 } },
  });
  const n = base.bins;
  // δ(t): the relative activity differences of all neuron populations; its size and the sign of the first population's.
  const size = new Float64Array(n);
  const signed = new Float64Array(n);
  const drift = new Float64Array(n);
  for (const [k, pop] of pops.entries()) {
    const r = Math.max(fp.rates[pop], 1e-3);
    const a = base.activity[pop];
    const b = kicked.activity[pop];
    for (let i = 0; i < n; i++) {
      const d = (b[i] - a[i]) / r;
      size[i] += d * d;
      if (k === 0) signed[i] = d;
      drift[i] = Math.max(drift[i], Math.abs(a[i] / r - 1));
    }
  }
  for (let i = 0; i < n; i++) size[i] = Math.sqrt(size[i]);
  // Envelope: the maximum of |δ| per window; windows long against one step and short against the run.
  const W = Math.max(1, Math.round(0.05 / dt));
  const times: number[] = [];
  const logs: number[] = [];
  let crossings = 0;
  let first = -1;
  let last = -1;
  for (let w = 0; (w + 1) * W <= n; w++) {
    let m = 0;
    let baseDrift = 0;
    for (let i = w * W; i < (w + 1) * W; i++) {
      m = Math.max(m, size[i]);
      baseDrift = Math.max(baseDrift, drift[i]);
    }
    // The first window holds the kick's immediate transient; later ones the leading mode.
    if (w === 0) continue;
    if (!(m > FLOOR && m < CEILING && baseDrift < CEILING)) {
      if (times.length > 0) break;
      continue;
    }
    times.push((w + 0.5) * W * dt);
    logs.push(Math.log(m));
    if (first < 0) first = w * W;
    last = (w + 1) * W;
  }
  for (let i = Math.max(first, 1); i < last; i++) if (Math.sign(signed[i]) !== Math.sign(signed[i - 1]) && signed[i] !== 0 && signed[i - 1] !== 0) crossings++;
  let growthRate: number;
  if (times.length >= 2) growthRate = slope(times, logs);
  else {
    // Below the floor after one window: faster decay than the windows resolve; bound it by the first window.
    let m0 = 0;
    for (let i = 0; i < Math.min(W, n); i++) m0 = Math.max(m0, size[i]);
    let m1 = 0;
    for (let i = W; i < Math.min(2 * W, n); i++) m1 = Math.max(m1, size[i]);
    growthRate = m0 > 0 && m1 < m0 ? Math.log(Math.max(m1, 1e-300) / m0) / (W * dt) : Math.log(m1 / m0) / (W * dt);
  }
  const span = last > first && first >= 0 ? (last - first) * dt : 0;
  // Rounding can flip the sign of a δ near the floor; count an oscillation only with two full periods.
  const frequency = span > 0 && crossings >= 4 ? crossings / (2 * span) : null;
  return { growthRate, frequency, stable: growthRate < 0, fitted: first >= 0 ? [first * dt, last * dt] : [0, 0] };
}

/** Least-squares slope of y against x. */
function slope(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxy / sxx;
}
