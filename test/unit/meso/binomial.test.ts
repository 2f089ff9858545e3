import { describe, expect, it } from 'vitest';
import { lnFactorial, PhiloxUniforms, sampleBinomial } from '../../../src/meso/binomial';
import { philox4x32, uniformFromBits } from '../../../src/rng/philox';
import { Purpose, purposeWord } from '../../../src/rng/streams';
import { binomialChiSquare, chiSquareQuantile999 } from '../../support/binomialChiSquare';

const SEED = 20240611;

interface Draws {
  counts: Map<number, number>;
  mean: number;
  variance: number;
  uniformsPerDraw: number;
}

/** One draw per (step, trial) site, as the mesoscopic engine draws one count per step. */
function drawMany(n: number, p: number, draws: number, stream: number): Draws {
  const rng = new PhiloxUniforms(SEED, stream, Purpose.test);
  const counts = new Map<number, number>();
  let sum = 0;
  let sumSq = 0;
  let uniforms = 0;
  for (let step = 0; step < draws; step++) {
    rng.reset(step, 0);
    const k = sampleBinomial(n, p, rng);
    uniforms += rng.used;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    sum += k;
    sumSq += k * k;
  }
  const mean = sum / draws;
  return { counts, mean, variance: (sumSq - draws * mean * mean) / (draws - 1), uniformsPerDraw: uniforms / draws };
}

describe('lnFactorial', () => {
  it('is 0 at 0 and 1 and equals the running sum of logs up to 2000 within 1e-12 relative', () => {
    expect(lnFactorial(0)).toBe(0);
    expect(lnFactorial(1)).toBe(0);
    let exact = 0;
    for (let k = 2; k <= 2000; k++) {
      exact += Math.log(k);
      expect(Math.abs(lnFactorial(k) - exact)).toBeLessThanOrEqual(1e-12 * exact);
    }
  });

  it('matches high-precision values (mpmath.loggamma(k + 1) at 40 digits)', () => {
    // The reference digits are kept as published, beyond what a double holds.
    const cases: [number, number][] = [
      // biome-ignore lint/correctness/noPrecisionLoss: reference value as published
      [100, 363.7393755555634901440799933696556380278],
      // biome-ignore lint/correctness/noPrecisionLoss: reference value as published
      [1e6, 12815518.38465816962425107589296584125987],
      // biome-ignore lint/correctness/noPrecisionLoss: reference value as published
      [1e7, 151180965.4875695648984253710045358778885],
    ];
    for (const [k, value] of cases) expect(Math.abs(lnFactorial(k) - value)).toBeLessThan(1e-14 * value);
  });

  it('rejects non-integer and negative arguments', () => {
    expect(() => lnFactorial(-1)).toThrow(RangeError);
    expect(() => lnFactorial(1.5)).toThrow(RangeError);
    expect(() => lnFactorial(NaN)).toThrow(RangeError);
  });
});

describe('sampleBinomial: distribution', () => {
  const DRAWS = 200_000;
  it.each([
    [5, 0.3, 'inversion'],
    [40, 0.1, 'inversion'],
    [40, 0.5, 'BTRS'],
    [1000, 0.02, 'BTRS'],
    [1000, 0.3, 'BTRS'],
    [1e6, 0.01, 'BTRS'],
    [200, 0.9, 'BTRS by symmetry'],
  ] as const)('Binomial(%d, %d) (%s) passes chi-square and moment checks', (n, p, _method) => {
    const stream = Math.round(n * p * 1000);
    const draws = drawMany(n, p, DRAWS, stream);
    const { statistic, df } = binomialChiSquare(n, p, draws.counts, DRAWS);
    expect(df).toBeGreaterThanOrEqual(3);
    expect(statistic).toBeLessThan(chiSquareQuantile999(df));

    const q = 1 - p;
    const variance = n * p * q;
    // Central fourth moment of the binomial: npq(1 + 3pq(n − 2)).
    const mu4 = variance * (1 + 3 * p * q * (n - 2));
    expect(Math.abs(draws.mean - n * p)).toBeLessThan(5 * Math.sqrt(variance / DRAWS));
    expect(Math.abs(draws.variance - variance)).toBeLessThan(5 * Math.sqrt((mu4 - variance * variance) / DRAWS));
  });
});

describe('sampleBinomial: edge cases and arguments', () => {
  const rng = new PhiloxUniforms(SEED, 1, Purpose.test);

  it('returns the certain outcome without drawing', () => {
    rng.reset(0, 0);
    expect(sampleBinomial(17, 0, rng)).toBe(0);
    expect(sampleBinomial(17, -0.5, rng)).toBe(0);
    expect(sampleBinomial(17, 1, rng)).toBe(17);
    expect(sampleBinomial(17, 1.5, rng)).toBe(17);
    expect(sampleBinomial(0, 0.4, rng)).toBe(0);
    expect(rng.used).toBe(0);
  });

  it('gives 0 for p = 1e-12, n = 10 (P(k > 0) = 1e-11)', () => {
    for (let step = 0; step < 1000; step++) {
      rng.reset(step, 0);
      expect(sampleBinomial(10, 1e-12, rng)).toBe(0);
    }
  });

  it('gives a Bernoulli variate for n = 1', () => {
    const draws = 20_000;
    let ones = 0;
    for (let step = 0; step < draws; step++) {
      rng.reset(step, 1);
      const k = sampleBinomial(1, 0.3, rng);
      expect(k === 0 || k === 1).toBe(true);
      ones += k;
    }
    expect(Math.abs(ones / draws - 0.3)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / draws));
  });

  it('stays within [0, n] near the switch between the methods and for huge n', () => {
    for (const [n, p] of [
      [20, 0.5],
      [21, 0.49],
      [2 ** 53, 1e-15],
      [2 ** 53, 0.25],
      [1e9, 1 - 1e-8],
    ]) {
      for (let step = 0; step < 200; step++) {
        rng.reset(step, 2);
        const k = sampleBinomial(n, p, rng);
        expect(Number.isInteger(k)).toBe(true);
        expect(k).toBeGreaterThanOrEqual(0);
        expect(k).toBeLessThanOrEqual(n);
      }
    }
  });

  it('throws RangeError for bad n or p', () => {
    expect(() => sampleBinomial(-1, 0.5, rng)).toThrow(RangeError);
    expect(() => sampleBinomial(2.5, 0.5, rng)).toThrow(RangeError);
    expect(() => sampleBinomial(Infinity, 0.5, rng)).toThrow(RangeError);
    expect(() => sampleBinomial(2 ** 53 + 2, 0.5, rng)).toThrow(RangeError);
    expect(() => sampleBinomial(10, NaN, rng)).toThrow(RangeError);
    expect(() => sampleBinomial(10, Infinity, rng)).toThrow(RangeError);
    expect(() => sampleBinomial(-1, 0.5, rng)).toThrow(/\bn\b/);
    expect(() => sampleBinomial(10, NaN, rng)).toThrow(/\bp\b/);
  });
});

describe('sampleBinomial: cost', () => {
  it.each([
    [1e7, 0.01],
    [1e3, 0.3],
  ] as const)('uses fewer than 4 uniforms per draw on average for Binomial(%d, %d)', (n, p) => {
    const { uniformsPerDraw } = drawMany(n, p, 50_000, 99);
    expect(uniformsPerDraw).toBeLessThan(4);
  });
});

describe('PhiloxUniforms', () => {
  const sequence = (rng: PhiloxUniforms, step: number, trial: number, length: number): number[] => {
    rng.reset(step, trial);
    return Array.from({ length }, () => rng.next());
  };

  it('reproduces philox4x32(block, step, trial, purposeWord) under key (seed, stream), words 0..3 per block', () => {
    const seed = 12345;
    const stream = 7;
    const step = 1001;
    const trial = 3;
    const rng = new PhiloxUniforms(seed, stream, Purpose.mesoCount);
    const got = sequence(rng, step, trial, 12);
    const want: number[] = [];
    for (let block = 0; block < 3; block++) {
      const words = philox4x32([block, step, trial, purposeWord(Purpose.mesoCount, 0)], [seed, stream]);
      for (let w = 0; w < 4; w++) want.push(uniformFromBits(words[w]));
    }
    expect(got).toEqual(want);
    expect(rng.used).toBe(12);
  });

  it('is deterministic per (seed, stream, step, trial) and differs across steps and trials', () => {
    const a = new PhiloxUniforms(SEED, 4, Purpose.mesoCount);
    const b = new PhiloxUniforms(SEED, 4, Purpose.mesoCount);
    const base = sequence(a, 10, 2, 9);
    expect(sequence(b, 10, 2, 9)).toEqual(base);
    expect(sequence(a, 10, 2, 9)).toEqual(base); // reset restarts at block 0
    expect(sequence(a, 11, 2, 9)).not.toEqual(base);
    expect(sequence(a, 10, 3, 9)).not.toEqual(base);

    const binomials = (rng: PhiloxUniforms, trial: number): number[] =>
      Array.from({ length: 50 }, (_, step) => {
        rng.reset(step, trial);
        return sampleBinomial(1000, 0.3, rng);
      });
    expect(binomials(b, 0)).toEqual(binomials(a, 0));
    expect(binomials(a, 1)).not.toEqual(binomials(a, 0));
  });

  it('counts the uniforms used since the last reset', () => {
    const rng = new PhiloxUniforms(SEED, 0, Purpose.test);
    for (let i = 0; i < 6; i++) rng.next();
    expect(rng.used).toBe(6);
    rng.reset(1, 0);
    expect(rng.used).toBe(0);
  });

  it('rejects out-of-range key and counter fields', () => {
    expect(() => new PhiloxUniforms(-1, 0, Purpose.test)).toThrow(RangeError);
    expect(() => new PhiloxUniforms(0, 2 ** 32, Purpose.test)).toThrow(RangeError);
    expect(() => new PhiloxUniforms(0, 0, 256)).toThrow(RangeError);
    expect(() => new PhiloxUniforms(0, 0, Purpose.test).reset(-1, 0)).toThrow(RangeError);
    expect(() => new PhiloxUniforms(0, 0, Purpose.test).reset(0, 1.5)).toThrow(RangeError);
  });
});
