/** FFT against a direct DFT; the Welch PSD's normalisation (Parseval, white noise, a sinusoid). */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { fftInPlace } from '../../../src/analysis/fft';
import { bandPerTrial, welchPsd } from '../../../src/analysis/psd';

describe('fft', () => {
  it('equals the direct DFT for n = 1 … 256', () => {
    const rng = seedrandom('fft');
    for (const n of [1, 2, 4, 8, 64, 256]) {
      const re = Float64Array.from({ length: n }, () => rng() - 0.5);
      const im = Float64Array.from({ length: n }, () => rng() - 0.5);
      const dr = new Float64Array(n);
      const di = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        for (let t = 0; t < n; t++) {
          const a = (-2 * Math.PI * k * t) / n;
          dr[k] += re[t] * Math.cos(a) - im[t] * Math.sin(a);
          di[k] += re[t] * Math.sin(a) + im[t] * Math.cos(a);
        }
      }
      fftInPlace(re, im);
      for (let k = 0; k < n; k++) {
        expect(re[k]).toBeCloseTo(dr[k], 10);
        expect(im[k]).toBeCloseTo(di[k], 10);
      }
    }
    expect(() => fftInPlace(new Float64Array(6), new Float64Array(6))).toThrow(/power of two/);
  });
});

describe('Welch PSD', () => {
  const dt = 1e-3;
  it('white noise of variance σ² has the flat one-sided density 2σ²Δ, and Σ P Δf is the variance, whatever the number of trials', () => {
    const rng = seedrandom('white');
    const trials = 400;
    const bins = 1024;
    const sigma = 0.7;
    const a = new Float64Array(trials * bins);
    for (let i = 0; i < a.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - rng()));
      const th = 2 * Math.PI * rng();
      a[i] = sigma * r * Math.cos(th);
      a[i + 1] = sigma * r * Math.sin(th);
    }
    const p = welchPsd(a, trials, bins, 0, 0, bins, 256, dt);
    const band = bandPerTrial(p, 50, 450);
    const mean = band.reduce((s, v) => s + v, 0) / trials;
    expect(mean / (2 * sigma * sigma * dt)).toBeGreaterThan(0.98);
    expect(mean / (2 * sigma * sigma * dt)).toBeLessThan(1.02);
    // With 4 trials of the same data the estimate keeps its scale (the mean subtraction is undone).
    const few = bandPerTrial(welchPsd(a, 4, bins, 0, 0, bins, 256, dt), 50, 450);
    expect(few.reduce((s, v) => s + v, 0) / 4 / (2 * sigma * sigma * dt)).toBeGreaterThan(0.9);
    expect(few.reduce((s, v) => s + v, 0) / 4 / (2 * sigma * sigma * dt)).toBeLessThan(1.1);
    const df = p.f[1] - p.f[0];
    const total = p.power.reduce((s, v) => s + v, 0) * df;
    // The across-trial mean is removed and its 1/trials share of the variance restored.
    expect(total / (sigma * sigma)).toBeCloseTo(1, 1);
  });

  it('puts a sinusoid (random phase per trial) at its frequency with power A²/2', () => {
    const rng = seedrandom('sine');
    const trials = 200;
    const bins = 512;
    const f0 = 62.5; // on the grid of 128-bin segments (7.8125 Hz)
    const A = 2;
    const a = new Float64Array(trials * bins);
    for (let t = 0; t < trials; t++) {
      const phase = 2 * Math.PI * rng();
      for (let k = 0; k < bins; k++) a[t * bins + k] = A * Math.sin(2 * Math.PI * f0 * k * dt + phase);
    }
    const p = welchPsd(a, trials, bins, 0, 0, bins, 128, dt);
    const peak = p.power.indexOf(Math.max(...p.power));
    expect(p.f[peak]).toBeCloseTo(f0, 6);
    const df = p.f[1] - p.f[0];
    const total = p.power.reduce((s, v) => s + v, 0) * df;
    expect(total / ((A * A) / 2)).toBeCloseTo(1, 1);
  });
});
