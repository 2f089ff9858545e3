/**
 * The quick V6 validation (scale and cost) at test size: every engine runs the scale scenario at
 * two sizes; meso (MF2 and age) and macro rates and meso PSD bands are within their targets up
 * to 3 s.e. of micro-gpu; the cost per simulated trial-second of every engine is measured, and
 * the cost-against-N and accuracy-against-N figures are drawn from both sets. No timing
 * thresholds: speed is for the benchmarks.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { runV6Set, v6ScalingFigures, V6_SETS, v6Trials } from '../../src/validation/v6';

describe('validation V6, quick', () => {
  it('N = 200 and 1000: meso and macro within target + 3 s.e. of micro-gpu; cost recorded for every engine; summary figures', async () => {
    const gpu = await testGpu();
    const sizes = { gpuTrials: 4, cpuTrials: 1, mesoTrials: 8, duration: 1.5 };
    const results = [];
    for (const N of [200, 1000]) {
      const r = await runV6Set(V6_SETS.find((s) => s.N === N)!, { gpu, sizes });
      expect(r.metrics.length).toBe(11); // rate × 3 levels, 4 PSD bands × 2 meso levels
      for (const m of r.metrics) expect(m.value - 3 * m.se, `N = ${N} ${m.quantity} ${m.level}: ${m.value} ± ${m.se}`).toBeLessThanOrEqual(m.target);
      const data = r.data as { cost: Record<string, number> };
      for (const level of ['micro-gpu', 'micro-cpu', 'meso', 'age', 'macro']) expect(data.cost[level], level).toBeGreaterThan(0);
      results.push(r);
    }
    expect(v6Trials('micro-gpu', 200, sizes).trials).toBe(20);
    expect(v6Trials('micro-gpu', 30000, sizes).trials).toBe(8);
    expect(Object.keys(v6ScalingFigures(results))).toEqual(['v6-cost-vs-n.svg', 'v6-accuracy-vs-n.svg']);
  });
});
