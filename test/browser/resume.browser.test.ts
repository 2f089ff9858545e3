/**
 * The app's saved runs end to end (docs/app.md, "Saved runs and resume"): the built app in
 * headless Chromium (WebGPU on SwiftShader where there is no GPU) runs micro in the CLI's blocks
 * of trials and keeps each completed block in the Origin Private File System (IndexedDB where
 * there is none). A tab reloaded mid-run (what a crash leaves), and a fresh tab of the same
 * browser profile, offer to resume; Resume computes only the missing blocks, and the result
 * equals an uninterrupted run of the same scenario on the same adapter bit for bit: the summary
 * and every exported .npy. Discard deletes the blocks; a completed run's blocks are deleted once
 * its result is shown; a damaged or half-written block is dropped and computed again; a full
 * quota is reported and the run goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OUTPUT_DIR, watch, waitFor, shortV2 as shortV2Of, servedApp } from './support';
import { encodeShared } from '../../src/app/state/shareUrl';
import type { AppState } from '../../src/app/main';
import type { RunSummary } from '../../src/analysis/summary';

/** 3 blocks of 256 trials (micro-gpu's CLI layout: at least 256 trials a block), of a short V2. */
const TRIALS = 768;
const BLOCKS = 3;

/** V2 made short: 0.3 s. */
const shortV2 = () => shortV2Of(0.3, TRIALS);

const app = servedApp();
let hash = '';

beforeAll(async () => {
  hash = await encodeShared({ scenario: await shortV2(), levels: ['micro-gpu'] });
});

/** A page of the app in `context`, once it has settled: WebGPU asked, scenario loaded, storage listed. */
async function open(context: BrowserContext, label: string, withHash = true): Promise<{ page: Page; uncaught: string[]; state: AppState }> {
  const page = await context.newPage();
  const uncaught = watch(page, label);
  await page.goto(`${app.url}${withHash ? hash : ''}`);
  const state = await settled(page);
  return { page, uncaught, state };
}

function settled(page: Page): Promise<AppState> {
  return waitFor(page, (s) => s.webgpu !== 'pending' && s.scenario.name !== null && s.saved.storage !== 'pending', 60_000);
}

const micro = (s: AppState) => s.run.levels['micro-gpu'];

/** The summary without what differs between two runs of the same numbers (times, batches, blocks resumed). */
function numbers(summary: RunSummary): Omit<RunSummary, 'wallSeconds' | 'engine'> {
  const { wallSeconds: _w, engine: _e, ...rest } = summary;
  return rest;
}

/**
 * The per-trial arrays the export panel offers for micro (activity, sampled inputs, input means,
 * STP variables) and one array of trial statistics, by file name: at most 9, because Chromium
 * stops a page's downloads after ten in a row. The summary compares the statistics of every array.
 */
async function exportedArrays(page: Page): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const buttons = page.locator('.export-level[data-level="micro-gpu"] [data-file$=".npy"]');
  const names = (await buttons.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-file')!))).filter(
    (n) => !/_(trialmean|trialm2|neurons)\.npy$/.test(n) || n.endsWith('input_post_all_sampled_trialm2.npy'),
  );
  expect(names.length).toBeGreaterThanOrEqual(6);
  for (const name of names.slice(0, 9)) {
    const [d] = (await Promise.all([page.waitForEvent('download'), page.locator(`[data-file="${name}"]`).click()])) as [Download, undefined];
    out.set(d.suggestedFilename(), await readFile((await d.path())!));
  }
  return out;
}

/** The OPFS entries under the app's folder, as paths ("run-…/blocks/block-000000.bin"). */
function opfsEntries(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    const walk = async (dir: any, prefix: string) => {
      for await (const [name, handle] of dir.entries()) {
        out.push(`${prefix}${name}${handle.kind === 'directory' ? '/' : ''}`);
        if (handle.kind === 'directory') await walk(handle, `${prefix}${name}/`);
      }
    };
    const root = await navigator.storage.getDirectory();
    const runs = await root.getDirectoryHandle('mesostp-runs', { create: true });
    await walk(runs, '');
    return out.sort();
  });
}

/** Runs the form's scenario until `saved` blocks are saved, then stops the tab as a crash would (reload) or cancels. */
async function interrupt(page: Page, how: 'reload' | 'cancel', saved = 1): Promise<void> {
  await page.click('#run');
  await waitFor(page, (s) => (micro(s)?.blocks?.saved ?? 0) >= saved);
  if (how === 'reload') await page.reload();
  else {
    await page.click('#cancel');
    await waitFor(page, (s) => s.run.status === 'cancelled');
  }
}

const timings: string[] = [];
function time<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  return f().finally(() => timings.push(`${label} ${((performance.now() - t0) / 1000).toFixed(1)} s`));
}
afterAll(() => console.log(`[mesostp] resume test timings: ${timings.join(', ')}`));

/** The uninterrupted run's summary and arrays, which every resumed run must equal. */
let reference: { summary: RunSummary; arrays: Map<string, Buffer> } | null = null;

async function expectReference(page: Page, s: AppState): Promise<void> {
  const m = micro(s)!;
  expect(m.status).toBe('done');
  expect(m.summary!.trials).toBe(TRIALS);
  expect(m.summary!.cancelled).toBe(false);
  expect(numbers(m.summary!)).toEqual(numbers(reference!.summary));
  const arrays = await exportedArrays(page);
  expect([...arrays.keys()]).toEqual([...reference!.arrays.keys()]);
  for (const [name, bytes] of reference!.arrays) expect(arrays.get(name)!.equals(bytes), name).toBe(true);
}

describe('saved runs and resume (Chromium, OPFS)', () => {
  it('a reloaded tab and a new tab offer to resume; Resume computes the missing blocks and gives the uninterrupted run bit for bit; Discard deletes', async () => {
    const context = await app.browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    try {
      // The uninterrupted run, in blocks: its saved blocks are deleted once its result is shown.
      const a = await open(context, 'resume A');
      expect(a.state.webgpu).toBe('available');
      expect(a.state.saved).toEqual({ storage: 'opfs', error: null, runs: [] });
      await time('uninterrupted run', async () => {
        await a.page.click('#run');
        await waitFor(a.page, (s) => s.run.status !== 'running');
      });
      let s = await waitFor(a.page, (x) => x.run.status !== 'running' && x.saved.runs.length === 0);
      expect(micro(s)!.blocks).toEqual({ total: BLOCKS, saved: BLOCKS, resumed: 0 });
      reference = { summary: micro(s)!.summary!, arrays: await exportedArrays(a.page) };
      expect(reference.arrays.size).toBeGreaterThanOrEqual(6);
      console.log(`[mesostp] compared arrays: ${[...reference.arrays.keys()].join(', ')}`);
      expect(await opfsEntries(a.page)).toEqual([]);

      // Run again and reload once a block is saved: the reloaded tab offers the form's run.
      await time('run to a saved block, reload', () => interrupt(a.page, 'reload'));
      s = await settled(a.page);
      expect(s.saved.runs).toHaveLength(1);
      const run = s.saved.runs[0];
      expect(run).toMatchObject({
        scenario: 'v2-feedforward-depression',
        choice: 'micro-gpu',
        trials: TRIALS,
        blocks: BLOCKS,
        earlierSession: true,
        matchesForm: true,
        blocked: null,
      });
      expect(run.saved).toBeGreaterThanOrEqual(1);
      expect(run.saved).toBeLessThan(BLOCKS);
      const notice = a.page.locator(`#saved-runs .saved-run[data-key="${run.key}"]`);
      expect(await notice.textContent()).toContain(`${run.saved} of ${BLOCKS} blocks of this run are saved from an earlier session`);
      expect(await a.page.locator('#run-status').textContent()).toMatch(/continues from its saved blocks/);
      const files = await opfsEntries(a.page);
      expect(files).toEqual(
        expect.arrayContaining([`${run.key}/`, `${run.key}/manifest.json`, `${run.key}/app.json`, `${run.key}/blocks/`, `${run.key}/blocks/block-000000.bin`]),
      );
      expect(files.filter((f) => /block-\d+\.bin$/.test(f))).toHaveLength(run.saved);
      // The manifest is the CLI's (mesostp run --out's manifest.json).
      const manifest = await a.page.evaluate(async (key) => {
        const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('mesostp-runs');
        return JSON.parse(await (await (await (await root.getDirectoryHandle(key)).getFileHandle('manifest.json')).getFile()).text());
      }, run.key);
      expect(manifest).toMatchObject({
        format: 'mesostp-blocks/1',
        level: 'micro-gpu',
        options: { schedule: 'auto' },
        trials: TRIALS,
        blockTrials: 256,
        blocks: BLOCKS,
        shard: null,
      });
      await a.page.screenshot({ path: path.join(OUTPUT_DIR, 'app-resume-offered.png'), fullPage: true });
      expect(a.uncaught).toEqual([]);
      await a.page.close();

      // A new tab of the same profile, on the default preset: it offers the run of another scenario.
      const b = await open(context, 'resume B', false);
      expect(b.state.scenario.name).toBe('v2-feedforward-depression');
      expect(b.state.saved.runs).toHaveLength(1);
      expect(b.state.saved.runs[0]).toMatchObject({ key: run.key, saved: run.saved, matchesForm: false });
      expect(await b.page.locator('#saved-runs .saved-run').textContent()).toMatch(
        new RegExp(`${run.saved} of ${BLOCKS} blocks of a run of “v2-feedforward-depression” are saved from an earlier session.*Resume loads its scenario`),
      );
      // What a crash mid-write could leave: a half-written temporary file, and a damaged block
      // (the last one, which the run never reached): both are dropped, the block computed again.
      await b.page.evaluate(async (key) => {
        const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('mesostp-runs');
        const blocks = await (await root.getDirectoryHandle(key)).getDirectoryHandle('blocks');
        const write = async (name: string, bytes: Uint8Array) => {
          const w = await (await blocks.getFileHandle(name, { create: true })).createWritable();
          await w.write(bytes as BufferSource);
          await w.close();
        };
        const first = new Uint8Array(await (await (await blocks.getFileHandle('block-000000.bin')).getFile()).arrayBuffer());
        await write('.block-000001.bin.tmp-crash', first.subarray(0, 1000));
        await write('block-000002.bin', first.subarray(0, first.length - 100));
      }, run.key);

      await time('resume', async () => {
        await b.page.locator(`#saved-runs .saved-run[data-key="${run.key}"] [data-action="resume"]`).click();
        await waitFor(b.page, (x) => x.run.status !== 'running' && x.run.status !== 'idle');
      });
      s = await waitFor(b.page, (x) => x.run.status !== 'running' && x.saved.runs.length === 0);
      expect(await b.page.locator('[id="field-run.trials"]').inputValue()).toBe(String(TRIALS));
      expect(micro(s)!.blocks).toEqual({ total: BLOCKS, saved: BLOCKS, resumed: run.saved });
      expect(s.saved.error).toMatch(/block 2 failed its checks and will be computed again/);
      await expectReference(b.page, s);
      expect(await opfsEntries(b.page)).toEqual([]);

      // Cancel keeps the completed blocks; the notice offers them; Discard deletes them.
      await time('run to a saved block, cancel', () => interrupt(b.page, 'cancel'));
      s = await waitFor(b.page, (x) => x.saved.runs.length === 1);
      expect(s.saved.runs[0]).toMatchObject({ matchesForm: true, earlierSession: false });
      expect(await b.page.locator('#saved-runs').textContent()).toMatch(/of 3 blocks of this run are saved from the cancelled run/);
      expect((await opfsEntries(b.page)).some((f) => f.endsWith('block-000000.bin'))).toBe(true);
      await b.page.locator('#saved-runs [data-action="discard"]').click();
      s = await waitFor(b.page, (x) => x.saved.runs.length === 0);
      expect(await b.page.locator('#saved-runs').isHidden()).toBe(true);
      expect(await opfsEntries(b.page)).toEqual([]);
      expect(b.uncaught).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('without OPFS the runs are kept in IndexedDB, and resume the same way', async () => {
    expect(reference, 'the OPFS test ran first').not.toBeNull();
    const context = await app.browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    await context.addInitScript(() => {
      delete (StorageManager.prototype as { getDirectory?: unknown }).getDirectory;
    });
    try {
      const { page, uncaught, state } = await open(context, 'indexeddb');
      expect(state.saved.storage).toBe('indexeddb');
      await time('IndexedDB: run to a saved block, reload', () => interrupt(page, 'reload'));
      let s = await settled(page);
      expect(s.saved.runs).toHaveLength(1);
      expect(s.saved.runs[0]).toMatchObject({ matchesForm: true, earlierSession: true });
      const resumed = s.saved.runs[0].saved;
      await time('IndexedDB: resume', async () => {
        await page.locator('#saved-runs [data-action="resume"]').click();
        await waitFor(page, (x) => x.run.status !== 'running' && x.run.status !== 'idle');
      });
      s = await waitFor(page, (x) => x.run.status !== 'running' && x.saved.runs.length === 0);
      expect(micro(s)!.blocks).toEqual({ total: BLOCKS, saved: BLOCKS, resumed });
      await expectReference(page, s);
      const left = await page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const request = indexedDB.open('mesostp-runs');
            request.onsuccess = () => {
              const count = request.result.transaction('blocks').objectStore('blocks').count();
              count.onsuccess = () => resolve(count.result);
              count.onerror = () => reject(count.error);
            };
            request.onerror = () => reject(request.error);
          }),
      );
      expect(left).toBe(0);
      expect(uncaught).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a full storage quota is reported, and the run goes on', async () => {
    const context = await app.browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      const uncaught = watch(page, 'quota');
      const cdp = await context.newCDPSession(page);
      // Room for the manifests, not for a block (a few megabytes).
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(app.url).origin, quotaSize: 200_000 });
      await page.goto(`${app.url}${hash}`);
      await settled(page);
      await time('quota: run', async () => {
        await page.click('#run');
        await waitFor(page, (x) => x.run.status !== 'running');
      });
      const s = await waitFor(page, (x) => x.run.status !== 'running' && x.saved.runs.length === 0);
      expect(s.saved.error).toMatch(/^Blocks 0–2 of the micro \(WebGPU\) run could not be saved in the browser's storage \(QuotaExceededError/);
      expect(s.saved.error).toMatch(/storage this site may use is full/);
      expect(await page.locator('#storage-status').textContent()).toBe(s.saved.error);
      expect(micro(s)!.blocks).toEqual({ total: BLOCKS, saved: 0, resumed: 0 });
      await expectReference(page, s);
      expect(uncaught).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
