/**
 * The quick V5 validation (static synapses) at test size: meso's stationary rates and activity
 * PSD bands, and macro's rates, agree with micro-gpu within their targets up to the uncertainty
 * of the small samples.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { runV5Set, V5_SETS } from '../../src/validation/v5';

describe('validation V5, quick', () => {
  it('meso rates and PSD bands and macro rates within target + 3 s.e. of micro-gpu, for one population and an E–I pair', async () => {
    const gpu = await testGpu();
    const sizes = { gpuTrials: 12, cpuTrials: 4, mesoTrials: 12, duration: 2.5 };
    for (const set of V5_SETS) {
      const r = await runV5Set(set, { gpu, sizes });
      const judged = r.metrics.filter((m) => m.level === 'meso' || m.level === 'macro');
      expect(judged.length).toBe(set.name === 'population' ? 6 : 12);
      for (const m of judged)
        expect(m.value - 3 * m.se, `${set.name} ${m.population} ${m.quantity} ${m.level}: ${m.value} ± ${m.se}`).toBeLessThanOrEqual(m.target);
      expect(Object.keys(r.figures).length).toBe(set.name === 'population' ? 2 : 4);
    }
  });
});
