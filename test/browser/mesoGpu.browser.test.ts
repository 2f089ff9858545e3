/**
 * Where the app runs meso (docs/app.md, "Where meso runs"): the built app in headless Chromium on
 * SwiftShader, a software adapter. Forced onto WebGPU with ?meso=gpu, a meso level runs on the
 * meso-gpu engine with its variant's STP mean-field, says so in the run state and the page, and
 * agrees with the same run forced into the worker (the CPU meso engine) within the statistics'
 * standard errors; it cancels keeping its completed steps. Left on auto, the software adapter
 * sends meso to the worker; forced onto WebGPU without a device, or with a scenario meso-gpu does
 * not model, it falls back to the worker and says why.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import path from 'node:path';
import { OUTPUT_DIR, watch, waitFor, shortV2 as shortV2Of, servedApp } from './support';
import { encodeShared } from '../../src/app/state/shareUrl';
import type { AppState } from '../../src/app/main';
import type { LevelChoice } from '../../src/app/state/levels';
import type { RunSummary } from '../../src/analysis/summary';

/**
 * Trials of the compared runs: few, because meso-gpu on SwiftShader takes about 0.6 ms a trial and
 * step (32 trials of V2's 1200 steps: 30 s); meso-gpu's own tests (test/gpu/mesoGpu.gpu.test.ts)
 * compare it with meso on thousands of trials. Here the point is that the page ran it.
 */
const TRIALS = 32;
/**
 * Two estimates of one quantity differ by more than this many combined standard errors with
 * probability 6·10⁻⁵ each if they were independent; the two runs share their Philox streams (one
 * seed), which correlates them positively and only makes the difference smaller.
 */
const SE_BOUND = 4;

/** V2 made short: 0.6 s. */
const shortV2 = (trials: number) => shortV2Of(0.6, trials);

const app = servedApp();

/** The app at `query` + a link to `scenario` with `levels` checked, once it has settled. */
async function openApp(
  label: string,
  query: string,
  scenario: Record<string, any>,
  levels: LevelChoice[],
  page?: Page,
): Promise<{ page: Page; uncaught: string[]; state: AppState }> {
  const p = page ?? (await app.browser.newPage({ viewport: { width: 1400, height: 1000 } }));
  const uncaught = watch(p, label);
  await p.goto(`${app.url}${query}${await encodeShared({ scenario, levels })}`);
  const state = await waitFor(p, (s) => s.webgpu !== 'pending' && s.scenario.name !== null && s.saved.storage !== 'pending', 60_000);
  return { page: p, uncaught, state };
}

/** Presses Run and waits until every level has stopped (the click's handler starts the run, so a state after it that is not running is this run's end). */
async function runToEnd(page: Page): Promise<AppState> {
  await page.click('#run');
  return waitFor(page, (s) => s.run.status !== 'running');
}

const rowHead = (page: Page, level: string) => page.locator(`#summary-table tr[data-level="${level}"] th`).textContent();
const runsOnNote = (page: Page, level: string) => page.locator(`#progress [data-level="${level}"] .runs-on`);

/**
 * Every rate, input mean, input s.d. across trials and STP mean of `a` against `b`: within
 * SE_BOUND combined standard errors (the s.d.'s standard error: s.d./√(2(n − 1)) per run);
 * returns the largest difference in standard errors.
 */
function consistent(a: RunSummary, b: RunSummary): number {
  let worst = 0;
  const check = (x: number, y: number, seX: number | null, seY: number | null, label: string) => {
    expect(seX, `${label}: standard error`).not.toBeNull();
    expect(seY, `${label}: standard error`).not.toBeNull();
    const se = Math.hypot(seX!, seY!);
    // A quantity equal in every trial (u without facilitation is U): float32 against float64.
    if (se === 0) {
      expect(x, label).toBeCloseTo(y, 6);
      return;
    }
    const z = Math.abs(x - y) / se;
    expect(z, `${label}: WebGPU ${x}, worker ${y}, combined s.e. ${se}`).toBeLessThanOrEqual(SE_BOUND);
    worst = Math.max(worst, z);
  };
  const sdSe = (sd: number, n: number) => sd / Math.sqrt(2 * (n - 1));
  for (const [pop, r] of Object.entries(b.populations)) check(a.populations[pop].rateHz, r.rateHz, a.populations[pop].rateHzSem, r.rateHzSem, `rate ${pop}`);
  for (const [pop, r] of Object.entries(b.inputs)) {
    const x = a.inputs[pop];
    check(x.mean, r.mean, x.meanSem, r.meanSem, `input mean ${pop}`);
    check(x.sd, r.sd, sdSe(x.sd, a.trials), sdSe(r.sd, b.trials), `input s.d. ${pop}`);
  }
  for (const [proj, vars] of Object.entries(b.stp))
    for (const [v, y] of Object.entries(vars)) check(a.stp[proj][v], y, a.stpSem[proj][v], b.stpSem[proj][v], `stp ${proj}.${v}`);
  return worst;
}

describe('where the app runs meso (headless Chromium on SwiftShader)', () => {
  it('forced onto WebGPU, meso-age runs on meso-gpu beside micro and agrees with the worker within standard errors', async () => {
    const scenario = await shortV2(TRIALS);
    const { page, uncaught, state: opened } = await openApp('meso on WebGPU', '?meso=gpu', scenario, ['micro-gpu', 'meso-age', 'macro']);
    expect(opened.webgpu).toBe('available');
    expect(await page.locator('#meso-runs-on').inputValue()).toBe('gpu');

    const t0 = Date.now();
    const gpuRun = await runToEnd(page);
    const gpuSeconds = (Date.now() - t0) / 1000;
    expect(gpuRun.run.status, JSON.stringify(gpuRun.run)).toBe('done');
    const onGpu = gpuRun.run.levels['meso-age']!;
    expect(onGpu.runsOn).toMatchObject({ where: 'gpu', fellBack: false });
    expect(onGpu.summary!.level).toBe('meso-gpu');
    // The variant's STP mean-field goes with it.
    expect(onGpu.summary!.engine.stpMeanField).toBe('age');
    expect(onGpu.summary!.trials).toBe(TRIALS);
    expect(await rowHead(page, 'meso-age')).toBe('meso, age-resolved STP — on WebGPU');
    expect(await runsOnNote(page, 'meso-age').getAttribute('data-runs-on')).toBe('gpu');
    // micro took its turn on the same device; macro stays in the worker whatever the setting.
    expect(gpuRun.run.levels['micro-gpu']!.summary!.trials).toBe(TRIALS);
    expect(gpuRun.run.levels.macro!.runsOn).toBeUndefined();
    expect(gpuRun.run.levels.macro!.summary!.level).toBe('macro');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-meso-on-webgpu.png'), fullPage: true });

    // The same run in the worker, chosen in the page: the address keeps the setting.
    await page.locator('#meso-runs-on').selectOption('worker');
    expect(new URL(page.url()).searchParams.get('meso')).toBe('worker');
    await page.locator('#level-micro-gpu').setChecked(false);
    await page.locator('#level-macro').setChecked(false);
    const t1 = Date.now();
    const workerRun = await runToEnd(page);
    const workerSeconds = (Date.now() - t1) / 1000;
    expect(workerRun.run.status).toBe('done');
    const inWorker = workerRun.run.levels['meso-age']!;
    expect(inWorker.runsOn).toMatchObject({ where: 'worker', fellBack: false, reason: 'set to run in a worker' });
    expect(inWorker.summary!.level).toBe('meso');
    expect(inWorker.summary!.engine.stpMeanField).toBe('age');
    expect(await rowHead(page, 'meso-age')).toBe('meso, age-resolved STP — in a worker');

    const worst = consistent(onGpu.summary!, inWorker.summary!);
    console.log(
      `[mesostp] meso-age, ${TRIALS} trials of 0.6 s: WebGPU (${onGpu.summary!.engine.adapter}) vs worker: largest difference ${worst.toFixed(2)} combined standard errors; meso-gpu ${onGpu.summary!.wallSeconds.toFixed(2)} s (set-up ${Number(onGpu.summary!.engine.setupSeconds).toFixed(2)} s), worker ${inWorker.summary!.wallSeconds.toFixed(2)} s (runs with micro and macro ${gpuSeconds.toFixed(1)} s, alone in the worker ${workerSeconds.toFixed(1)} s)`,
    );
    expect(uncaught, 'uncaught errors in the page').toEqual([]);
    await page.close();
  });

  it('auto on a software adapter sends meso to the worker, and says why', async () => {
    const { page, uncaught, state: opened } = await openApp('auto', '', await shortV2(4), ['meso-mf2']);
    expect(opened.adapter).toMatch(/software/);
    expect(await page.locator('#meso-runs-on').inputValue()).toBe('auto');
    const s = await runToEnd(page);
    expect(s.run.status).toBe('done');
    const meso = s.run.levels['meso-mf2']!;
    expect(meso.runsOn).toMatchObject({ where: 'worker', fellBack: false });
    expect(meso.runsOn!.reason).toMatch(/software/);
    expect(meso.summary!.level).toBe('meso');
    expect(await runsOnNote(page, 'meso-mf2').textContent()).toMatch(/^In a worker: the WebGPU adapter is a software one/);
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it('forced onto WebGPU, cancel keeps every trial up to the last completed step', async () => {
    const { page, uncaught } = await openApp('cancel on WebGPU', '?meso=gpu', await shortV2(64), ['meso-mf2']);
    await page.click('#run');
    await waitFor(page, (x) => (x.run.levels['meso-mf2']?.fraction ?? 0) > 0);
    await page.click('#cancel');
    const s = await waitFor(page, (x) => x.run.status !== 'running', 60_000);
    const meso = s.run.levels['meso-mf2']!;
    expect(meso.runsOn!.where).toBe('gpu');
    expect(meso.status).toBe('cancelled');
    expect(meso.summary!.level).toBe('meso-gpu');
    expect(meso.summary!.trials).toBe(64);
    expect(meso.summary!.cancelled).toBe(true);
    expect(meso.summary!.completedDuration).toBeGreaterThan(0);
    expect(meso.summary!.completedDuration).toBeLessThan(0.6);
    expect(await rowHead(page, 'meso-mf2')).toBe('meso, MF2 — on WebGPU (partial)');
    expect(await page.locator('#export-panel').isVisible()).toBe(true);
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it('forced onto WebGPU with a scenario meso-gpu does not model: the worker, saying why', async () => {
    const json = await shortV2(4);
    json.projections[0].stp = { model: 'three-state', U: 0.5, tauIn: 0.003, tauRec: 0.8 };
    const { page, uncaught } = await openApp('unsupported', '?meso=gpu', json, ['meso-mf2']);
    const s = await runToEnd(page);
    expect(s.run.status, JSON.stringify(s.run)).toBe('done');
    const meso = s.run.levels['meso-mf2']!;
    expect(meso.runsOn).toMatchObject({ where: 'worker', fellBack: true });
    expect(meso.runsOn!.reason).toMatch(/three-state/);
    expect(meso.summary!.level).toBe('meso');
    const note = runsOnNote(page, 'meso-mf2');
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(/^In a worker, not on WebGPU as set: meso on WebGPU does not model this scenario: .*three-state/);
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it('forced onto WebGPU on a page without WebGPU: the worker, saying why', async () => {
    const context = await app.browser.newContext();
    await context.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    const { page, uncaught, state: opened } = await openApp('no WebGPU', '?meso=gpu', await shortV2(4), ['meso-mf2'], await context.newPage());
    expect(opened.webgpu).toBe('unavailable');
    const s = await runToEnd(page);
    expect(s.run.status).toBe('done');
    expect(s.run.levels['meso-mf2']!.runsOn).toEqual({ where: 'worker', reason: 'this page has no WebGPU device', fellBack: true });
    expect(await runsOnNote(page, 'meso-mf2').textContent()).toBe('In a worker, not on WebGPU as set: this page has no WebGPU device.');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-meso-fell-back.png'), fullPage: true });
    expect(uncaught).toEqual([]);
    await context.close();
  });
});
