/**
 * Values of a scenario's time functions (rates, drives) at the step starts t_n = n·dt.
 * Switch times and table cells are compared with a tolerance of 1e-9·dt so that a switch at
 * 0.5 s with dt = 0.5 ms takes effect at step 1000 even when 1000·dt rounds to 0.49999999….
 */
import type { TimeFunction } from './scenario';

const EDGE = 1e-9;

/** f(t_n), t_n = n·dt. */
export function timeFunctionAt(f: TimeFunction, n: number, dt: number): number {
  const t = n * dt;
  switch (f.type) {
    case 'constant':
      return f.value;
    case 'steps': {
      const tol = EDGE * dt;
      let k = 0;
      while (k < f.times.length && f.times[k] <= t + tol) k++;
      return f.values[k];
    }
    case 'sinusoid':
      return f.offset + f.amplitude * Math.sin(2 * Math.PI * f.frequency * t + f.phase);
    case 'table': {
      const k = Math.floor(t / f.dt + EDGE * (dt / f.dt));
      return f.values[k < f.values.length ? k : f.values.length - 1];
    }
  }
}

/** An upper bound of f over all time (the largest value it can take at a step start). */
export function timeFunctionMax(f: TimeFunction): number {
  switch (f.type) {
    case 'constant':
      return f.value;
    case 'steps':
    case 'table':
      return Math.max(...f.values);
    case 'sinusoid':
      return f.offset + Math.abs(f.amplitude);
  }
}
