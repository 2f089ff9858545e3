/** micro-gpu's trialRange: trials [a, b) are exactly those trials of the whole run (test/unit/engines/trialRange.test.ts for the CPU engines). */
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../src/engines';
import { testGpu } from '../support/gpu';
import { expectRangeOfWhole, rangeScenario } from '../support/trialRange';

describe('micro-gpu trialRange', () => {
  it('trials [2, 5), in batches of two, are rows 2…4 of the whole run, bit for bit', async () => {
    const gpu = await testGpu();
    const whole = await runEngine('micro-gpu', rangeScenario, {}, { gpu });
    const part = await runEngine('micro-gpu', rangeScenario, {}, { gpu, trialRange: [2, 5], maxTrialsPerBatch: 2 });
    expectRangeOfWhole(whole, part, 2, 5);
    expect(part.engine.trialRange).toEqual([2, 5]);
  });
});
