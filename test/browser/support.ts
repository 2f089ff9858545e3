/**
 * What the browser end-to-end tests share: the built app served over HTTP on 127.0.0.1 (a secure
 * context, which WebGPU requires: about:blank and file:// are not), Debian's Chromium driven
 * headless by playwright-core (on machines without a GPU its WebGPU runs on SwiftShader,
 * docs/platform.md), and the page's console forwarded into the test output. No mocks, no skips:
 * without Chromium the suites fail and say what to install.
 */
import { afterAll, beforeAll } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AppState } from '../../src/app/main';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const APP_DIR = path.join(ROOT, 'dist', 'app');
export const OUTPUT_DIR = path.join(ROOT, 'test-output', 'browser');
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
 * adapters.") unless WebGPU is unblocked: --enable-unsafe-webgpu. Compute then works on Google
 * SwiftShader (Vulkan on the CPU, core feature level), but the first frame drawn to a WebGPU
 * canvas loses the device (Chromium 156 headless logs "Could not find SharedImageBackingFactory
 * … WebgpuSwapChainTexture"; the device reports "A valid external Instance reference no longer
 * exists"), because the compositor runs on ANGLE's GL path, which cannot share the swap-chain
 * texture. --use-angle=vulkan --enable-features=Vulkan put ANGLE on Vulkan too, and canvas
 * frames work (measured; docs/platform.md). Our --enable-features replaces the one
 * playwright-core passes (Chromium keeps the last), which only concerns features we do not use.
 */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-angle=vulkan', '--enable-features=Vulkan'];
/** No usable WebGPU: no unblocking flag, and no GPU acceleration at all. */
export const NO_WEBGPU_ARGS = ['--disable-gpu'];

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
export async function serveStatic(dir: string): Promise<{ server: Server; url: string }> {
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

export async function launch(extraArgs: string[]): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it with \`bash scripts/install-system-deps.sh --chromium\` ` +
        '(as root, on Debian 12), or point MESOSTP_CHROMIUM at a Chromium or Chrome executable.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...QUIET_ARGS, ...extraArgs] });
}

/** Forwards the page's console errors/warnings and uncaught errors into the test output; collects the latter. */
export function watch(page: Page, label: string): string[] {
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

/** Builds the app with Vite (the WGSL comes through the same `?raw` imports as in Node) into dist/app. */
export async function buildApp(): Promise<void> {
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
}

export async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** SwiftShader on two cores: a small V2 run takes seconds; this bounds a hang, not the speed. */
export const RUN_TIMEOUT_MS = 240_000;

/** The page's state as the app exposes it (window.__mesostp). */
export async function appState(page: Page): Promise<AppState> {
  return (await page.evaluate(() => window.__mesostp)) as AppState;
}

/** Polls the page's state until `predicate` holds; a timeout throws with the last state seen. */
export async function waitFor(page: Page, predicate: (s: AppState) => boolean, timeout = RUN_TIMEOUT_MS): Promise<AppState> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const s = await appState(page);
    if (s && predicate(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out; last state: ${JSON.stringify({ ...s, scenario: undefined })}`);
    await page.waitForTimeout(100);
  }
}

/** V2 (the default preset) made short: `duration` seconds, its rate steps at a third and two thirds of it. */
export async function shortV2(duration: number, trials: number): Promise<Record<string, any>> {
  const json = JSON.parse(await readFile(path.join(ROOT, 'scenarios', 'v2-feedforward-depression.json'), 'utf8'));
  json.run = { ...json.run, duration, trials };
  json.populations.pre.rate.times = [duration / 3, (2 * duration) / 3];
  return json;
}

/**
 * A suite's app and browser: the app built and served over HTTP, and one Chromium with WebGPU
 * unblocked, started before the suite's tests and closed after them.
 */
export function servedApp(): { readonly url: string; readonly browser: Browser } {
  let server: Server | undefined;
  let url = '';
  let browser: Browser | undefined;
  beforeAll(async () => {
    await buildApp();
    ({ server, url } = await serveStatic(APP_DIR));
    await mkdir(OUTPUT_DIR, { recursive: true });
    browser = await launch(WEBGPU_ARGS);
  });
  afterAll(async () => {
    await browser?.close();
    await closeServer(server);
  });
  return {
    get url() {
      return url;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not started yet (servedApp starts it in beforeAll)');
      return browser;
    },
  };
}
