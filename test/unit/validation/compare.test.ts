/** The shared comparisons of the validation experiments. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { simulateMicroCpu } from '../../../src/micro/cpu';
import { parseScenario } from '../../../src/model/validate';
import { relativeDifference, relativeSampleDifference, sampleMean, standardError, trialRates } from '../../../src/validation/compare';
import { runLevels } from '../../../src/validation/runLevels';
import type { GpuContext } from '../../../src/gpu/device';

describe('validation comparisons', () => {
  it('standard error of the mean; unknown (NaN) below two samples', () => {
    expect(sampleMean([1, 2, 3, 6])).toBe(3);
    expect(standardError([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3 / 4), 14);
    expect(standardError([5])).toBeNaN();
    expect(sampleMean([])).toBeNaN();
  });

  it('relative difference: |mb/ma − 1| with the first-order error of the ratio, defined at mb = 0', () => {
    const r = relativeDifference(10, 0.1, 11, 0.2);
    expect(r.value).toBeCloseTo(0.1, 14);
    expect(r.se).toBeCloseTo(Math.hypot(0.011, 0.02), 14);
    expect(relativeDifference(10, 0.1, 0, 0)).toEqual({ value: 1, se: 0 });
    expect(relativeDifference(0, 0.1, 1, 0.1).value).toBeNaN();
  });

  it('the first-order error matches the spread of the ratio of two noisy means (Monte Carlo, 20 000 draws, 5 %)', () => {
    let s = 7;
    const normal = () => {
      // Box–Muller on a fixed-seed LCG: reproducible.
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const u = (s + 0.5) / 2 ** 32;
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = (s + 0.5) / 2 ** 32;
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    };
    const ratios: number[] = [];
    for (let i = 0; i < 20000; i++) ratios.push((12 + 0.24 * normal()) / (10 + 0.15 * normal()));
    const m = sampleMean(ratios);
    const sd = Math.sqrt(ratios.reduce((a, r) => a + (r - m) ** 2, 0) / (ratios.length - 1));
    expect(Math.abs(relativeDifference(10, 0.15, 12, 0.24).se / sd - 1)).toBeLessThan(0.05);
    expect(relativeSampleDifference([9, 10, 11], [9, 10, 11]).value).toBe(0);
  });

  it("refuses a recording that kept only statistics (record.trials 'stats'), naming --record trials, before a validation run starts", async () => {
    const v2 = JSON.parse(readFileSync('scenarios/v2-feedforward-depression.json', 'utf8'));
    const s = parseScenario({ ...v2, run: { ...v2.run, trials: 4, duration: 0.02 }, record: { ...v2.record, trials: 'stats', keepTrials: 2 } });
    const r = simulateMicroCpu(s);
    expect(() => trialRates(r, 'pre', 0)).toThrow(
      'the per-trial rates of pre needs the arrays of every trial, but this recording kept 2 of its 4 trials (record.trials "stats" keeps per-bin statistics); run with --record trials (record.trials: "all"), or keep every trial\'s arrays (record.keepTrials ≥ 4)',
    );
    const kept = parseScenario({ ...s, record: { ...s.record, keepTrials: 4 } });
    expect(trialRates(simulateMicroCpu(kept), 'pre', 0)).toHaveLength(4);
    let ran = false;
    await expect(
      runLevels('V2', 'depression', ['micro'] as const, { micro: 'micro-cpu' }, () => s, {
        gpu: {} as GpuContext,
        onProgress: () => {
          ran = true;
        },
      }),
    ).rejects.toThrow(/validation V2 \(depression, micro \(CPU\)\) needs the arrays of every trial.*--record trials/);
    expect(ran).toBe(false);
  });
});
