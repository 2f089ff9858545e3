/**
 * A run of trials [a, b) of a scenario is exactly those trials of the whole run: the arrays the
 * range returns equal the rows a..b−1 of the whole run's, bit for bit (every random number comes
 * from counters of the global trial index). Checkpointed and sharded runs are built on this.
 */
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../../src/engines';
import { expectRangeOfWhole, rangeScenario } from '../../support/trialRange';

describe('trialRange', () => {
  for (const [level, options] of [
    ['micro-cpu', {}],
    ['meso', { stp: 'mf2' }],
  ] as const) {
    it(`${level}: trials [2, 5) are rows 2…4 of the whole run, bit for bit`, async () => {
      const whole = await runEngine(level, rangeScenario, options);
      const part = await runEngine(level, rangeScenario, options, { trialRange: [2, 5] });
      expectRangeOfWhole(whole, part, 2, 5);
      expect(part.engine.trialRange).toEqual([2, 5]);
    });
  }

  it('refuses a range outside the run', async () => {
    await expect(runEngine('micro-cpu', rangeScenario, {}, { trialRange: [5, 9] })).rejects.toThrow(/trialRange \[5, 9\) must lie within \[0, 7\)/);
    await expect(runEngine('meso', rangeScenario, {}, { trialRange: [3, 3] })).rejects.toThrow(/non-empty/);
  });
});
