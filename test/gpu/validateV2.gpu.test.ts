/**
 * The quick V2 validation (docs/validation/plan.md V2) at test size: MF2 meets its targets within the
 * uncertainty of the smaller samples, the CPU witness agrees with the GPU reference, and MF1's
 * known failure (the s.d. and PSD of a depressing synapse's input, Schmutz et al. 2020) is
 * detected beyond 2 standard errors, so the comparison has the power to fail.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testGpu } from '../support/gpu';
import { runV2Set, V2_REPORT, V2_SETS, type V2SetResult } from '../../src/validation/v2';
import { terminalTable, writeReport } from '../../src/validation/report';

describe('validation V2, quick', () => {
  it('MF2 within its targets, micro-cpu consistent with micro-gpu, MF1 fails where the paper says; report written', async () => {
    const gpu = await testGpu();
    const sizes = { gpuTrials: 384, cpuTrials: 64, mesoTrials: 192 };
    const results: V2SetResult[] = [];
    for (const set of V2_SETS) results.push(await runV2Set(set, { gpu, sizes }));
    const metrics = results.flatMap((r) => r.metrics);
    expect(metrics.length).toBe(2 * 2 * 3 * 5);
    for (const m of metrics.filter((x) => x.level === 'mf2' || x.level === 'micro-cpu')) {
      // At this size a metric may sit above its target within its uncertainty, never beyond 3 s.e.
      expect(m.value - 3 * m.se, `${m.set} ${m.population} ${m.quantity} ${m.level}: ${m.value} ± ${m.se}`).toBeLessThanOrEqual(m.target);
    }
    const mf1Dep = metrics.filter((m) => m.level === 'mf1' && m.set === 'depression');
    for (const m of mf1Dep.filter((x) => x.quantity !== 'mean')) expect(m.clearFail, `${m.population} ${m.quantity}: ${m.value} ± ${m.se}`).toBe(true);
    const mf1Fac = metrics.filter((m) => m.level === 'mf1' && m.set === 'facilitation' && m.quantity === 'mean');
    for (const m of mf1Fac) expect(m.value, `facilitation ${m.population} mean`).toBeGreaterThan(0.02);

    const dir = mkdtempSync(join(tmpdir(), 'mesostp-v2-'));
    const files = await writeReport(dir, V2_REPORT, { command: 'test', adapter: 'test adapter', date: '2026-01-01', sizes }, results);
    const json = JSON.parse(readFileSync(files.json, 'utf8'));
    expect(json.metrics.length).toBe(metrics.length);
    expect(readFileSync(files.markdown, 'utf8')).toMatch(/\| C = N \| sd \|/);
    expect(readFileSync(join(dir, 'figures', 'v2-depression-post_all-sd.svg'), 'utf8')).toMatch(/^<svg/);
    expect(terminalTable(V2_REPORT, results).split('\n').length).toBe(1 + 2 * 2 * 5);
    // About 50 s alone on the 2-core CI machine; beside the other test files, twice that or more.
  }, 300_000);
});
