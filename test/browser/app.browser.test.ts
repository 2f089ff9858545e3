/**
 * The browser app end to end: the built app in headless Chromium with WebGPU (SwiftShader on
 * machines without a GPU), driven like a user would. The numbers the page shows and exports are
 * compared with the Node engines' results for the same scenario and seed:
 *  - meso (float64 JavaScript in both, same Philox streams): equal to 1e-9 relative;
 *  - micro on WebGPU: same Philox streams and kernels on another float32 adapter (SwiftShader
 *    here, Dawn's default adapter in Node), whose exp/log may differ in the last bits: a spike
 *    can flip, so rates agree within 2 % and input statistics within 0.5 % (measured: equal to
 *    the digits shown).
 * Screenshots go to test-output/browser (git-ignored).
 */
import { describe, expect, it } from 'vitest';
import type { Download, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { launch, NO_WEBGPU_ARGS, OUTPUT_DIR, ROOT, watch, appState, waitFor, servedApp } from './support';
import { BROWSER_GUIDANCE } from '../../src/gpu/browser';
import { KEY_LIMITS } from '../../src/gpu/device';
import { requestNodeGpu } from '../../src/gpu/node';
import { run } from '../../src/run';
import { parseScenario } from '../../src/model';
import { summarize, type RunSummary } from '../../src/analysis/summary';
import { decodeNpy } from '../../src/io/npy';
import { encodeShared } from '../../src/app/state/shareUrl';
import { SELF_TEST_CASES } from '../../src/rng/philoxSelfTest';
import type { AppState } from '../../src/app/main';
import type { Recording } from '../../src/model/recording';

async function v2Json(trials: number): Promise<Record<string, any>> {
  const json = JSON.parse(await readFile(path.join(ROOT, 'scenarios', 'v2-feedforward-depression.json'), 'utf8'));
  json.run.trials = trials;
  return json;
}

async function openApp(page: Page, address: string): Promise<AppState> {
  await page.goto(address);
  return waitFor(page, (s) => s.webgpu !== 'pending' && s.scenario.name !== null, 60_000);
}

/** Sets the levels to run: exactly these checked. */
async function chooseLevels(page: Page, levels: string[]): Promise<void> {
  for (const l of ['micro-gpu', 'meso-mf1', 'meso-mf2', 'meso-age', 'macro']) await page.locator(`#level-${l}`).setChecked(levels.includes(l));
}

/** Sets the trials and the levels, and presses Run. */
async function startRun(page: Page, trials: number, levels: string[]): Promise<void> {
  await field(page, 'run.trials').fill(String(trials));
  await chooseLevels(page, levels);
  await page.click('#run');
}

const field = (page: Page, id: string) => page.locator(`[id="field-${id}"]`);
const fieldError = (page: Page, id: string) => page.locator(`[id="error-${id}"]`);

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = (await Promise.all([page.waitForEvent('download'), click()])) as [Download, undefined];
  const file = await d.path();
  return { name: d.suggestedFilename(), bytes: await readFile(file) };
}

/** Asserts |actual − expected| ≤ rel·|expected| and returns the relative difference. */
function relClose(actual: number, expected: number, rel: number, label: string): number {
  expect(Math.abs(actual - expected), `${label}: page ${actual}, Node ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-12);
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

/**
 * The page's summary against the Node engine's, field by field, within the stated tolerances;
 * returns the largest relative difference of rates and of input/STP statistics (the test prints them).
 */
function compareSummaries(page: RunSummary, node: RunSummary, rates: number, inputs: number): { rates: number; inputs: number } {
  const worst = { rates: 0, inputs: 0 };
  expect(page.trials).toBe(node.trials);
  expect(page.completedDuration).toBe(node.completedDuration);
  expect(Object.keys(page.populations)).toEqual(Object.keys(node.populations));
  for (const [pop, r] of Object.entries(node.populations))
    worst.rates = Math.max(worst.rates, relClose(page.populations[pop].rateHz, r.rateHz, rates, `rate ${pop}`));
  const input = (a: number, b: number, label: string) => (worst.inputs = Math.max(worst.inputs, relClose(a, b, inputs, label)));
  for (const [pop, r] of Object.entries(node.inputs)) {
    input(page.inputs[pop].mean, r.mean, `input mean ${pop}`);
    input(page.inputs[pop].sd, r.sd, `input s.d. ${pop}`);
  }
  for (const [proj, vars] of Object.entries(node.stp)) for (const [v, x] of Object.entries(vars)) input(page.stp[proj][v], x, `stp ${proj}.${v}`);
  return worst;
}

const app = servedApp();

/** A new page of the app (at `url` plus `hash`), its uncaught errors collected, once it has settled. */
async function openPage(label: string, hash = '', viewport = { width: 1400, height: 1000 }): Promise<{ page: Page; uncaught: string[]; state: AppState }> {
  const page = await app.browser.newPage({ viewport, acceptDownloads: true });
  const uncaught = watch(page, label);
  const state = await openApp(page, `${app.url}${hash}`);
  return { page, uncaught, state };
}

describe('the browser app with WebGPU (Vite build, Chromium, SwiftShader)', () => {
  it('runs V2 at micro (WebGPU) and meso MF2; the page shows and exports the Node engines’ numbers', async () => {
    const { page, uncaught, state: opened } = await openPage('v2');
    console.log(`[mesostp] browser app runs on: ${opened.adapter} (Chromium ${app.browser.version()})`);
    expect(opened.webgpu).toBe('available');
    expect(opened.scenario).toEqual({ name: 'v2-feedforward-depression', valid: true, errors: [] });

    // As a user: 32 trials, a raster of the 100 presynaptic neurons, micro and MF2.
    await field(page, 'run.trials').fill('32');
    await field(page, 'record.spikes[0].population').selectOption('pre');
    await expect.poll(() => field(page, 'record.spikes[0].neurons').inputValue()).toBe('100');
    await chooseLevels(page, ['micro-gpu', 'meso-mf2']);
    await page.click('#run');
    const s = await waitFor(page, (x) => x.run.status !== 'running');
    expect(s.run.status, JSON.stringify(s.run)).toBe('done');

    // The same scenario in Node.
    const json = await v2Json(32);
    json.record.spikes = [{ population: 'pre', neurons: 100 }];
    const scenario = parseScenario(json);
    const gpu = await requestNodeGpu();
    let microNode: Recording;
    try {
      microNode = await run(scenario, { level: 'micro-gpu', gpu });
    } finally {
      gpu.destroy();
    }
    const mesoNode = await run(scenario, { level: 'meso', stp: 'mf2' });
    const micro = s.run.levels['micro-gpu']!.summary!;
    const meso = s.run.levels['meso-mf2']!.summary!;
    compareSummaries(meso, summarize(mesoNode, {}), 1e-9, 1e-9);
    const diff = compareSummaries(micro, summarize(microNode, {}), 0.02, 0.005);
    console.log(
      `[mesostp] micro-gpu, page (${micro.engine.adapter}) vs Node (${microNode.engine.adapter}): largest relative difference ${diff.rates.toExponential(1)} in rates, ${diff.inputs.toExponential(1)} in input and STP statistics`,
    );
    expect(micro.engine.adapter).toMatch(/swiftshader/i);
    // Micro ran in batches (the page redraws after each): 32 trials in two of 16.
    expect(micro.engine.batches).toBe(2);

    // The table shows those numbers.
    const microRow = page.locator('#summary-table tr[data-level="micro-gpu"]');
    expect(await microRow.locator('[data-key="rate.pre"]').textContent()).toContain(micro.populations.pre.rateHz.toFixed(3));
    expect(await page.locator('#summary-table tr[data-level="meso-mf2"] [data-key="input.post_all.mean"]').textContent()).toContain(
      meso.inputs.post_all.mean.toFixed(3),
    );

    // Figures: the input band of both levels, PSD, activity, STP, drawn by Vega once it has loaded.
    for (const id of ['input', 'psd', 'activity', 'stp']) await expect.poll(() => page.locator(`#figure-${id} svg`).count(), { message: id }).toBe(1);
    expect(await page.locator('#figure-dwell').isHidden()).toBe(true); // no recurrent population in V2
    const legend = await page.locator('#figure-input svg').textContent();
    expect(legend).toContain('micro (WebGPU), 32 trials');
    expect(legend).toContain('meso, MF2, 32 trials');
    // A hover on a point of the input band shows its values under the figure; a click on a legend
    // entry hides the other levels (their marks' opacity drops to 0).
    const input = page.locator('#figure-input');
    await input.locator('g.mark-symbol.role-mark').last().locator('path').nth(100).hover({ force: true });
    await expect.poll(() => input.locator('.figure-readout').textContent()).toMatch(/^series: .+ · time \(s\): [0-9.]+ · input \(mV\): -?[0-9.]+/);
    await input.locator('g.role-legend-symbol path').first().click({ force: true });
    await expect
      .poll(() => input.locator('g.mark-line.role-mark path[opacity="0"], g.mark-line.role-mark path[stroke-opacity="0"]').count())
      .toBeGreaterThan(0);
    await input.locator('svg').dblclick({ position: { x: 5, y: 5 } });

    // The raster: trial 0's spikes of `pre`, drawn by the WebGPU pipeline.
    const trial0 = Array.from(microNode.spikes.pre.trial).filter((t) => t === 0).length;
    expect(Number(await page.locator('#raster').getAttribute('data-spikes'))).toBe(trial0);
    // Pan and zoom: the wheel narrows the time range shown, a double-click restores it.
    const axes = page.locator('#raster-axes');
    const full = /^time 0\.000 – 1\.500 s \(left to right\) · neurons 0 – 99/;
    await expect.poll(() => axes.textContent()).toMatch(full);
    await page.locator('#raster-canvas').scrollIntoViewIfNeeded();
    const box = (await page.locator('#raster-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -500);
    await expect.poll(() => axes.textContent()).not.toMatch(full);
    // e^0.75 ≈ 2.1× narrower, about the middle of the run.
    const [t0, t1] = /^time ([\d.]+) – ([\d.]+) s/
      .exec((await axes.textContent())!)!
      .slice(1)
      .map(Number);
    expect(t1 - t0).toBeCloseTo(1.5 / Math.exp(0.75), 2);
    expect((t0 + t1) / 2).toBeCloseTo(0.75, 1);
    await page.locator('#raster-canvas').dblclick();
    await expect.poll(() => axes.textContent()).toMatch(full);
    const pixels = await page.evaluate(async () => {
      const image = await window.__mesostpDebug!.rasterImage();
      if (!image) return null;
      // The background is white; a spike's mark is dark blue.
      let marked = 0;
      for (let i = 0; i < image.data.length; i += 4) if (image.data[i] + image.data[i + 1] + image.data[i + 2] < 3 * 200) marked++;
      // Headless screenshots leave WebGPU canvases blank: show the raster's own read-back of the
      // same frame in its place, so that the screenshot shows what a user sees.
      const canvas = document.getElementById('raster-canvas') as HTMLCanvasElement;
      const copy = document.createElement('canvas');
      copy.width = image.width;
      copy.height = image.height;
      copy.getContext('2d')!.putImageData(image, 0, 0);
      copy.style.cssText = `width:${canvas.clientWidth}px;height:${canvas.clientHeight}px;display:block`;
      canvas.style.display = 'none';
      canvas.after(copy);
      return { width: image.width, height: image.height, marked };
    });
    expect(pixels).not.toBeNull();
    expect(pixels!.marked).toBeGreaterThan(trial0); // every spike covers at least a pixel or two
    expect(pixels!.marked).toBeLessThan((pixels!.width * pixels!.height) / 2);

    // Exports: summary.json equals the published summary; a .npy equals Node's array.
    const summaryFile = await download(page, () => page.locator('.export-level[data-level="micro-gpu"] [data-file$="_summary.json"]').click());
    expect(summaryFile.name).toBe('v2-feedforward-depression_micro-gpu_summary.json');
    const exported = JSON.parse(summaryFile.bytes.toString('utf8')) as RunSummary;
    expect(exported.populations).toEqual(micro.populations);
    expect(exported.files['activity.pre']).toBe('v2-feedforward-depression_micro-gpu_activity_pre.npy');
    const npy = await download(page, () =>
      page.locator(`.export-level[data-level="meso-mf2"] [data-file="v2-feedforward-depression_meso-mf2_input_post_all_sampled.npy"]`).click(),
    );
    const arr = decodeNpy(new Uint8Array(npy.bytes));
    expect(arr.shape).toEqual([32, 2, 1500]);
    const ref = mesoNode.inputs.post_all.sampled;
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(arr.data[i] - ref[i]));
    expect(worst).toBeLessThan(1e-9);
    const svg = await download(page, () => page.locator('#figure-input [data-export="svg"]').click());
    expect(svg.name).toBe('v2-feedforward-depression_input.svg');
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.bytes.toString('utf8')).toMatch(/>Synaptic input into an? \S+ neuron<\/text>/);
    const png = await download(page, () => page.locator('#figure-input [data-export="png"]').click());
    expect(Array.from(png.bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    // The shareable link restores this scenario in a fresh page.
    await page.click('#share');
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#s=/);
    const shared = await page.evaluate(() => location.href);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-finished.png'), fullPage: true });
    const second = await app.browser.newPage();
    const restored = await openApp(second, shared);
    expect(restored.scenario.valid).toBe(true);
    expect(await field(second, 'run.trials').inputValue()).toBe('32');
    expect(await field(second, 'record.spikes[0].population').inputValue()).toBe('pre');
    expect(await second.locator('#level-meso-mf2').isChecked()).toBe(true);
    expect(await second.locator('#level-macro').isChecked()).toBe(false);
    await second.close();

    expect(uncaught, 'uncaught errors in the page').toEqual([]);
    await page.close();
  });

  it('shows a bad parameter’s error next to its field and refuses to run until it is fixed', async () => {
    const { page, uncaught } = await openPage('bad parameter');
    expect(await page.locator('#run').isEnabled()).toBe(true);
    await field(page, 'projections[0].stp.U').fill('1.5');
    const error = fieldError(page, 'projections[0].stp.U');
    await expect.poll(() => error.isVisible()).toBe(true);
    expect(await error.textContent()).toMatch(/1\.5/);
    expect(await field(page, 'projections[0].stp.U').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#run').isDisabled()).toBe(true);
    const s = await appState(page);
    expect(s.scenario.valid).toBe(false);
    expect(s.scenario.errors.map((e) => e.path)).toEqual(['projections[0].stp.U']);
    await field(page, 'run.dt').fill('-0.001');
    await expect.poll(() => fieldError(page, 'run.dt').textContent()).toMatch(/-0\.001/);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-bad-parameter.png'), fullPage: true });
    await field(page, 'projections[0].stp.U').fill('0.5');
    await field(page, 'run.dt').fill('0.0005');
    await expect.poll(() => page.locator('#run').isEnabled()).toBe(true);
    expect(await error.isHidden()).toBe(true);
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it('loads a scenario file; a wrong field is refused with its path, and a good file fills the form', async () => {
    const { page, uncaught } = await openPage('file');
    const bad = await v2Json(5);
    bad.run.speed = 2;
    await page.setInputFiles('#scenario-file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await expect.poll(() => page.locator('#scenario-general').textContent()).toMatch(/run\.speed/);
    expect(await page.locator('#scenario-source').textContent()).toBe('file bad.json');
    expect(await page.locator('#run').isDisabled()).toBe(true);
    const good = await v2Json(7);
    good.name = 'my-experiment';
    await page.setInputFiles('#scenario-file', { name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
    await expect.poll(() => field(page, 'run.trials').inputValue()).toBe('7');
    expect((await appState(page)).scenario).toEqual({ name: 'my-experiment', valid: true, errors: [] });
    expect(await page.locator('#scenario-general').isHidden()).toBe(true);
    await page.setInputFiles('#scenario-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"name": ') });
    await expect.poll(() => page.locator('#scenario-general').textContent()).toMatch(/broken\.json is not valid JSON/);
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it('cancels a run: micro keeps its completed batches of whole trials, meso its completed steps', async () => {
    const { page, uncaught } = await openPage('cancel');

    // Micro alone: cancel once the first batch (50 of 400 trials) has arrived.
    await startRun(page, 400, ['micro-gpu']);
    await waitFor(page, (s) => (s.run.levels['micro-gpu']?.trialsDone ?? 0) > 0);
    await page.click('#cancel');
    let s = await waitFor(page, (x) => x.run.status !== 'running', 60_000);
    expect(s.run.status).toBe('cancelled');
    const micro = s.run.levels['micro-gpu']!;
    expect(micro.status).toBe('cancelled');
    expect(micro.summary!.trials).toBe(micro.trialsDone);
    expect(micro.summary!.trials % 50).toBe(0);
    expect(micro.summary!.trials).toBeLessThan(400);
    expect(micro.summary!.completedDuration).toBe(1.5);
    expect(micro.summary!.cancelled).toBe(true);
    expect(await page.locator('#summary-table tr[data-level="micro-gpu"] th').textContent()).toContain('(partial)');
    await expect.poll(() => page.locator('#figure-input svg').count()).toBe(1);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-cancelled.png'), fullPage: true });

    // Meso alone, in its worker: cancel once it has made progress; the page answered meanwhile.
    await startRun(page, 1000, ['meso-mf2']);
    await waitFor(page, (x) => (x.run.levels['meso-mf2']?.fraction ?? 0) > 0);
    await page.click('#cancel');
    s = await waitFor(page, (x) => x.run.status !== 'running', 60_000);
    const meso = s.run.levels['meso-mf2']!;
    expect(meso.status).toBe('cancelled');
    expect(meso.summary!.trials).toBe(1000);
    expect(meso.summary!.completedDuration).toBeGreaterThan(0);
    expect(meso.summary!.completedDuration).toBeLessThan(1.5);
    expect(await page.locator('#export-panel').isVisible()).toBe(true);
    expect(await page.locator('#run').isEnabled()).toBe(true);
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it('when the device is lost mid-run, says so, keeps the completed trials, and gets a new device next time', async () => {
    const { page, uncaught } = await openPage('device lost');
    await startRun(page, 96, ['micro-gpu']);
    await waitFor(page, (s) => (s.run.levels['micro-gpu']?.trialsDone ?? 0) >= 16);
    expect(await page.evaluate(() => window.__mesostpDebug!.loseDevice())).toBe(true);
    const s = await waitFor(page, (x) => x.run.status !== 'running', 60_000);
    const micro = s.run.levels['micro-gpu']!;
    expect(micro.status).toBe('failed');
    expect(micro.error).toMatch(/lost/i);
    expect(s.deviceLost).toMatch(/lost/i);
    expect(micro.summary!.trials).toBeGreaterThanOrEqual(16);
    expect(micro.summary!.trials).toBeLessThan(96);
    expect(micro.summary!.trials % 16).toBe(0);
    expect(await page.locator('#device-lost').isVisible()).toBe(true);
    expect(await page.locator('#device-lost-message').textContent()).toContain(`${micro.summary!.trials} of 96 trials had completed`);
    expect(await page.locator('#summary-table tr[data-level="micro-gpu"]').count()).toBe(1);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-device-lost.png'), fullPage: true });

    // A new device for what comes next: the self-test runs on it.
    await page.locator('#adapter-panel summary').click();
    await page.click('#run-self-test');
    await expect.poll(() => page.evaluate(() => window.__mesostpSelfTest?.status), { timeout: 90_000 }).toBe('passed');
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it('passes the Philox self-test on the browser adapter, bit for bit', async () => {
    const { page, uncaught, state: s } = await openPage('self-test', '', { width: 1000, height: 900 });
    await page.locator('#adapter-panel summary').click();
    expect(await page.locator('#adapter-name').textContent()).toBe(s.adapter);
    expect(await page.locator('#adapter-limits tbody tr').count()).toBe(KEY_LIMITS.length);
    await page.click('#run-self-test');
    await expect.poll(() => page.evaluate(() => window.__mesostpSelfTest?.status), { timeout: 90_000 }).toBe('passed');
    const state = (await page.evaluate(() => window.__mesostpSelfTest))!;
    expect(state.mismatches).toBe(0);
    expect(state.wordsCompared).toBeGreaterThanOrEqual(1_000_000);
    expect(await page.locator('#self-test-result').textContent()).toMatch(/^Passed: [\d,]+ words compared, 0 mismatches, in /);
    expect(await page.locator('#self-test-checks tbody tr').count()).toBe(2 * SELF_TEST_CASES.length);
    expect(uncaught).toEqual([]);
    await page.close();
  });

  it('opens a shared link with its scenario and levels', async () => {
    const json = await v2Json(3);
    json.projections[0].stp.U = 0.25;
    const hash = await encodeShared({ scenario: json, levels: ['macro'] });
    const { page, uncaught, state: s } = await openPage('shared link', hash);
    expect(s.scenario.valid).toBe(true);
    expect(await field(page, 'projections[0].stp.U').inputValue()).toBe('0.25');
    expect(await page.locator('#scenario-source').textContent()).toBe('Shared link');
    for (const [l, on] of [
      ['micro-gpu', false],
      ['meso-mf2', false],
      ['meso-age', false],
      ['macro', true],
    ] as const)
      expect(await page.locator(`#level-${l}`).isChecked(), l).toBe(on);
    expect(uncaught).toEqual([]);
    await page.close();
  });
});

describe('the browser app without WebGPU', () => {
  it('without navigator.gpu: shows what is needed, offers no micro, and still runs the population equations', async () => {
    const context = await app.browser.newContext();
    await context.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    const page = await context.newPage();
    const uncaught = watch(page, 'no navigator.gpu');
    const s = await openApp(page, app.url);
    expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
    expect(s.webgpu).toBe('unavailable');
    expect(s.webgpuError).toBe(BROWSER_GUIDANCE);
    const panel = page.locator('#unavailable');
    expect(await panel.isVisible()).toBe(true);
    expect(await panel.textContent()).toContain(BROWSER_GUIDANCE);
    expect(await page.locator('#level-micro-gpu').isDisabled()).toBe(true);
    expect(await page.locator('#level-micro-gpu').isChecked()).toBe(false);

    await startRun(page, 4, ['meso-mf2', 'macro']);
    const done = await waitFor(page, (x) => x.run.status !== 'running');
    expect(done.run.status).toBe('done');
    const node = summarize(await run(parseScenario(await v2Json(4)), { level: 'macro', stp: 'mf2' }), {});
    compareSummaries(done.run.levels.macro!.summary!, node, 1e-9, 1e-9);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'app-no-webgpu.png'), fullPage: true });
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('when navigator.gpu gives no adapter (Chromium without WebGPU flags): says so', async () => {
    const plain = await launch(NO_WEBGPU_ARGS);
    try {
      const page = await plain.newPage();
      const uncaught = watch(page, 'no adapter');
      const s = await openApp(page, app.url);
      expect(await page.evaluate(() => 'gpu' in navigator)).toBe(true);
      expect(s.webgpu).toBe('unavailable');
      expect(s.webgpuError).toMatch(/returned no adapter/);
      expect(await page.locator('#unavailable').textContent()).toContain(s.webgpuError!);
      expect(uncaught).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
