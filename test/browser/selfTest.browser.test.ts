/**
 * End to end in a real browser: builds the app with Vite (so the WGSL comes through the same
 * `?raw` imports of shaders/ as in Node), serves dist/app over HTTP on 127.0.0.1 (a secure
 * context, which WebGPU requires: about:blank and file:// are not), and drives Debian's
 * Chromium headless with playwright-core. On machines without a GPU, Chromium's WebGPU runs
 * on SwiftShader (docs/platform.md). No mocks, no skips: without Chromium the suite fails
 * and says what to install.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type JSHandle, type Page } from 'playwright-core';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSER_GUIDANCE } from '../../src/gpu/browser';
import { KEY_LIMITS } from '../../src/gpu/device';
import { SELF_TEST_CASES, type SelfTestState } from '../../src/app/selfTest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_DIR = path.join(ROOT, 'dist', 'app');
const OUTPUT_DIR = path.join(ROOT, 'test-output', 'browser');
const CHROMIUM = process.env.MESOSTP_CHROMIUM || '/usr/bin/chromium';

/**
 * --no-sandbox because CI runs as root (Chromium will not sandbox as root);
 * --disable-dev-shm-usage because containers often have a small /dev/shm; the others keep
 * Chromium off the network, which is closed on CI (no update, sync or first-run traffic).
 * playwright-core passes most of these by default already; they are spelled out so that the
 * test does not depend on its defaults.
 */
const QUIET_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
/**
 * Linux Chromium exposes navigator.gpu but its requestAdapter() returns null ("No available
 * adapters.") unless WebGPU is unblocked. This one flag is enough for Chromium 156 headless:
 * requestAdapter() then returns Google SwiftShader (Vulkan on the CPU, core feature level).
 * --enable-features=Vulkan, --use-angle=swiftshader and --use-webgpu-adapter=swiftshader
 * change nothing here, so they are left out; an --enable-features of ours would also replace
 * the one playwright-core passes (Chromium keeps the last).
 */
const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];
/** No usable WebGPU: no unblocking flag, and no GPU acceleration at all. */
const NO_WEBGPU_ARGS = ['--disable-gpu'];

/** SwiftShader on two cores is slow; the self-test normally takes a few seconds. */
const SELF_TEST_TIMEOUT_MS = 90_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.wgsl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** A static file server for `dir` on 127.0.0.1 and a free port. */
async function serveStatic(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      let file = path.resolve(dir, `.${path.posix.normalize(pathname)}`);
      if (file !== dir && !file.startsWith(dir + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!res.headersSent) res.writeHead(missing ? 404 : 500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(missing ? 'not found' : String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the static server has no TCP address');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

async function launch(extraArgs: string[]): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it with \`bash scripts/install-system-deps.sh --chromium\` ` +
        '(as root, on Debian 12), or point MESOSTP_CHROMIUM at a Chromium or Chrome executable.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...QUIET_ARGS, ...extraArgs] });
}

/** Forwards the page's console errors/warnings and uncaught errors into the test output; collects the latter. */
function watch(page: Page, label: string): string[] {
  const uncaught: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.log(`[page ${label}] console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => {
    console.error(`[page ${label}] uncaught: ${error.stack ?? error.message}`);
    uncaught.push(error.message);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) console.log(`[page ${label}] HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    console.log(`[page ${label}] request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  return uncaught;
}

/**
 * Waits until the self-test has an outcome and returns the published state. With `after`
 * (a state returned before), waits for a newer one: the page publishes a fresh object each time.
 */
async function outcome(page: Page, after?: JSHandle<SelfTestState | undefined>): Promise<SelfTestState> {
  const done = await page.waitForFunction(
    (previous) => {
      const state = window.__mesostpSelfTest;
      const final = state?.status === 'passed' || state?.status === 'failed' || state?.status === 'unavailable';
      return final && state !== previous ? state : null;
    },
    after,
    { timeout: SELF_TEST_TIMEOUT_MS, polling: 100 },
  );
  return (await done.jsonValue()) as SelfTestState;
}

describe('the browser app (Vite build, Chromium, WebGPU)', () => {
  let server: Server | undefined;
  let url = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    await build({ configFile: path.join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
    ({ server, url } = await serveStatic(APP_DIR));
    await mkdir(OUTPUT_DIR, { recursive: true });
    browser = await launch(WEBGPU_ARGS);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
  });

  it('passes the Philox self-test on the browser adapter, bit for bit, and again on "Run again"', async () => {
    const page = await browser!.newPage({ viewport: { width: 1000, height: 900 } });
    const uncaught = watch(page, 'webgpu');
    await page.goto(url);

    const state = await outcome(page);
    console.log(`[mesostp] browser GPU tests run on: ${state.adapter} (Chromium ${browser!.version()})`);
    expect(state.status, `self-test ${state.status}: ${state.error ?? ''}`).toBe('passed');
    expect(state.mismatches).toBe(0);
    expect(state.wordsCompared).toBeGreaterThanOrEqual(1_000_000);
    expect(state.error).toBeUndefined();

    // The page shows what it published.
    const result = page.locator('#self-test-result');
    expect(await result.getAttribute('data-status')).toBe('passed');
    expect(await result.textContent()).toMatch(/^Passed: [\d,]+ words compared, 0 mismatches, in /);
    expect(await page.locator('#adapter-name').textContent()).toBe(state.adapter);
    expect(await page.locator('#adapter-limits tbody tr').count()).toBe(KEY_LIMITS.length);
    expect(await page.locator('#self-test-checks tbody tr').count()).toBe(2 * SELF_TEST_CASES.length);
    expect(await page.locator('#unavailable').isHidden()).toBe(true);
    await expect(page.screenshot({ path: path.join(OUTPUT_DIR, 'self-test.png'), fullPage: true })).resolves.toBeTruthy();

    // "Run again" runs the whole test once more on the same device.
    const first = await page.evaluateHandle(() => window.__mesostpSelfTest);
    await page.getByRole('button', { name: 'Run again' }).click();
    const again = await outcome(page, first);
    expect(again.status, `second run ${again.status}: ${again.error ?? ''}`).toBe('passed');
    expect(again.mismatches).toBe(0);
    expect(again.wordsCompared).toBe(state.wordsCompared);

    expect(uncaught, 'uncaught errors in the page').toEqual([]);
    await page.close();
  });

  it('shows the guidance, and reports "unavailable", when the browser has no navigator.gpu', async () => {
    const context = await browser!.newContext();
    // As in a browser without WebGPU: the attribute does not exist at all.
    await context.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    const page = await context.newPage();
    const uncaught = watch(page, 'no navigator.gpu');
    await page.goto(url);
    expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);

    const state = await outcome(page);
    expect(state).toEqual({ status: 'unavailable', adapter: null, wordsCompared: 0, mismatches: 0, error: BROWSER_GUIDANCE });
    expect(await page.locator('#self-test-result').getAttribute('data-status')).toBe('unavailable');
    const panel = page.getByRole('alert');
    expect(await panel.isVisible()).toBe(true);
    expect(await panel.textContent()).toContain(BROWSER_GUIDANCE);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'unavailable.png'), fullPage: true });

    expect(uncaught, 'uncaught errors in the page').toEqual([]);
    await context.close();
  });

  it('reports "unavailable" when navigator.gpu exists but yields no adapter (Chromium without WebGPU flags)', async () => {
    const plain = await launch(NO_WEBGPU_ARGS);
    try {
      const page = await plain.newPage();
      const uncaught = watch(page, 'no adapter');
      await page.goto(url);
      expect(await page.evaluate(() => 'gpu' in navigator)).toBe(true);

      const state = await outcome(page);
      expect(state.status).toBe('unavailable');
      expect(state.adapter).toBeNull();
      expect(state.error).toMatch(/returned no adapter/);
      expect(await page.locator('#self-test-result').getAttribute('data-status')).toBe('unavailable');
      expect(await page.getByRole('alert').textContent()).toContain(state.error);

      expect(uncaught, 'uncaught errors in the page').toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
