/**
 * The package as a user gets it (docs/api.md): `npm pack` of this repository (its `prepack`
 * builds the CLI and the library), installed with `npm install <tarball>` into an empty project
 * in a temporary folder, outside the repository, so that nothing resolves to the repository's
 * own node_modules. There:
 *  - the installed `mesostp` command runs (`info`, and `run` on a shipped preset);
 *  - a TypeScript consumer, type-checked by the repository's TypeScript with `strict`, no
 *    skipLibCheck and no Vite types (the tsconfig of docs/api.md), runs every level in Node and
 *    writes a .npy file;
 *  - every example of docs/api.md runs: the ```ts blocks in Node, the ```ts browser blocks in a
 *    page that Vite bundles from the installed package (so through its `browser` export) and
 *    headless Chromium opens with WebGPU (SwiftShader), beside the test's own micro-gpu run.
 * The tarball's size and file count are printed. npm installs only mesostp's dependencies,
 * from its cache where it can (`--prefer-offline`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/io/npy';
import { closeServer, launch, ROOT, serveStatic, watch, WEBGPU_ARGS } from '../browser/support';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of the commands: the caller's, without what `npm test` adds for its own
 * scripts (npm_package_*, npm_lifecycle_*, npm_config_local_prefix, ...), which would make
 * npm in the consumer project act on the repository. Where npm keeps its cache and reads its
 * configuration passes on.
 */
function userEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|userconfig|globalconfig|registry|cafile|strict_ssl|proxy|https_proxy|noproxy)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if ((!/^npm_/i.test(k) || keep.test(k)) && k !== 'INIT_CWD') env[k] = v;
  return env;
}

function exec(command: string, args: string[], cwd: string, timeout = 120_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: userEnv(), timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error && !stderr ? String(error) : '') });
    });
  });
}

/** Fails with the command's output when it did not exit 0. */
function ok(r: Result, what: string): Result {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`);
  return r;
}

// ---- docs/api.md: its code blocks --------------------------------------------------------------

interface Block {
  lang: string;
  tag: string;
  code: string;
  line: number;
}

function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const re = /^```(\S*)[ \t]*([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (const m of markdown.matchAll(re)) {
    blocks.push({ lang: m[1], tag: m[2].trim(), code: m[3], line: markdown.slice(0, m.index).split('\n').length });
  }
  return blocks;
}

const api = codeBlocks(readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8'));
const nodeExamples = api.filter((b) => b.lang === 'ts' && b.tag === '');
const browserExamples = api.filter((b) => b.lang === 'ts' && b.tag === 'browser');
const tsconfigBlocks = api.filter((b) => b.lang === 'json');
const shellBlocks = api.filter((b) => b.lang === 'sh');

// ---- the consumer project ----------------------------------------------------------------------

/** A scenario small enough for every engine in a second: 20 Poisson neurons driving 10 escape-noise neurons. */
const TINY = {
  name: 'tiny',
  populations: {
    P: { model: 'poisson', N: 20, rate: { type: 'constant', value: 20 } },
    E: { model: 'glif', N: 10, tauM: 0.02, mu: { type: 'constant', value: 10 }, uReset: 0, tRef: 0.004, c: 10, deltaU: 2, uTh: 15 },
  },
  projections: [
    {
      from: 'P',
      to: 'E',
      connectivity: { type: 'all-to-all' },
      weight: 0.2,
      delay: 0.001,
      filter: { type: 'exponential', tau: 0.005 },
      stp: { model: 'depression', U: 0.5, tauD: 0.5 },
    },
  ],
  run: { dt: 0.001, duration: 0.05, trials: 3 },
  record: { binSize: 0.005, stp: true },
};
const TINY_BINS = 10;

/** The Node consumer: every level through the package, a validation, a .npy file; prints one JSON line. */
const NODE_MAIN = `import { writeFileSync } from 'node:fs';
import { encodeNpy, requestNodeGpu, run, validateScenario, version, type Recording, type ScenarioInput } from 'mesostp';

const scenario: ScenarioInput = ${JSON.stringify(TINY)};
const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};
const shape = (rec: Recording) => ({
  level: rec.level,
  trials: rec.trials,
  bins: rec.bins,
  activity: rec.activity.E.length,
  stpX: rec.stp['P->E'].x.length,
  rate: sum(rec.activity.P) / rec.activity.P.length,
});

const gpu = await requestNodeGpu();
const levels: Record<string, ReturnType<typeof shape>> = {};
try {
  levels['micro-gpu'] = shape(await run(scenario, { level: 'micro-gpu', gpu }));
} finally {
  gpu.destroy();
}
const cpu = await run(scenario, { level: 'micro-cpu' });
levels['micro-cpu'] = shape(cpu);
levels.meso = shape(await run(scenario, { level: 'meso', stp: 'mf2' }));
const threads = (await run(scenario, { level: 'micro-cpu', threads: 2 })).engine.threads;

const invalid = validateScenario({ ...scenario, run: { dt: -1, duration: 0.05 } });
const errors = invalid.ok ? [] : invalid.errors.map((e) => e.path);

writeFileSync('activity.npy', encodeNpy(cpu.activity.E, [cpu.trials, cpu.bins]));
console.log(JSON.stringify({ version, levels, threads, valid: validateScenario(scenario).ok, errors, npySum: sum(cpu.activity.E) }));
`;

/** The page: the test's own micro-gpu trial through the browser build, then docs/api.md's browser examples. */
function pageMain(examples: number): string {
  return `import { requestBrowserGpu, run, version } from 'mesostp';

const report = (r: Record<string, unknown>) => {
  (window as unknown as { __consumer: Record<string, unknown> }).__consumer = r;
};
try {
  const gpu = await requestBrowserGpu();
  const rec = await run(${JSON.stringify({ ...TINY, run: { ...TINY.run, trials: 1 } })}, { level: 'micro-gpu', gpu });
  gpu.destroy();
  const check = { version, level: rec.level, trials: rec.trials, bins: rec.bins, activity: rec.activity.E.length, stpX: rec.stp['P->E'].x.length, backend: gpu.summary.backend };
  const examples: string[] = [];
${Array.from({ length: examples }, (_, i) => `  await import('./browser-example-${i + 1}');\n  examples.push('browser-example-${i + 1}');`).join('\n')}
  report({ ok: true, check, examples });
} catch (error) {
  report({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
`;
}

/**
 * The consumer's sources in src/: the Node consumer, docs/api.md's examples, the page; and its
 * tsconfig: docs/api.md's, with @types/node (for the examples' node:fs) taken from the
 * repository rather than the registry, since nothing is installed beside mesostp.
 */
function writeConsumer(): void {
  const documented = JSON.parse(tsconfigBlocks[0]?.code ?? '{}') as { compilerOptions?: Record<string, unknown> };
  const tsconfig = {
    compilerOptions: { ...documented.compilerOptions, typeRoots: [join(ROOT, 'node_modules', '@types')], outDir: 'build', rootDir: 'src', sourceMap: false },
    include: ['src'],
  };
  writeFileSync(join(project, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  mkdirSync(join(project, 'src'));
  writeFileSync(join(project, 'src', 'main.ts'), NODE_MAIN);
  for (const [i, b] of nodeExamples.entries()) writeFileSync(join(project, 'src', `example-${i + 1}.ts`), `// docs/api.md line ${b.line}\n${b.code}`);
  for (const [i, b] of browserExamples.entries())
    writeFileSync(join(project, 'src', `browser-example-${i + 1}.ts`), `// docs/api.md line ${b.line}\n${b.code}`);
  writeFileSync(join(project, 'src', 'page.ts'), pageMain(browserExamples.length));
  writeFileSync(
    join(project, 'index.html'),
    '<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>mesostp consumer</title></head>\n<body><script type="module" src="./src/page.ts"></script></body></html>\n',
  );
}

let work = '';
let project = '';
let tarball = '';
let server: Server | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  expect(existsSync(TSC), 'the repository has TypeScript (npm ci)').toBe(true);
  work = mkdtempSync(join(tmpdir(), 'mesostp-package-'));
  project = join(work, 'consumer');
  mkdirSync(project);

  const started = performance.now();
  const packed = ok(await exec('npm', ['pack', '--json', '--pack-destination', work], ROOT, 300_000), 'npm pack');
  // prepack's build output comes first on stdout; the JSON report is last.
  const json = packed.stdout.slice(packed.stdout.search(/^\[\s*$/m));
  const [info] = JSON.parse(json) as { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }[];
  tarball = join(work, info.filename);
  const files = info.files.map((f) => f.path);
  console.log(
    `[package] ${info.filename}: ${(info.size / 1e3).toFixed(0)} kB packed, ${(info.unpackedSize / 1e3).toFixed(0)} kB unpacked, ` +
      `${info.entryCount} files (npm pack ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  // What a user runs and nothing else.
  for (const f of ['bin/mesostp.js', 'dist/cli/mesostp.js', 'dist/lib/index.js', 'dist/lib/browser.js', 'dist/types/index.d.ts', 'dist/types/browser.d.ts']) {
    expect(files, f).toContain(f);
  }
  for (const f of ['README.md', 'LICENSE', 'package.json', 'scenarios/demo.json', 'scenarios/v2-feedforward-depression.json']) expect(files, f).toContain(f);
  const stray = files.filter(
    (f) => !/^(bin\/|dist\/(cli|lib|types)\/|scenarios\/[^/]+\.json$|README\.md$|LICENSE$|package\.json$)/.test(f) || f.endsWith('.map'),
  );
  expect(stray, 'files a user does not run').toEqual([]);

  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  const t = performance.now();
  ok(await exec('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project, 300_000), 'npm install');
  console.log(`[package] npm install ${info.filename}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  writeConsumer();
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await closeServer(server);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed in an empty project', () => {
  it('has the mesostp command: info, and run on a shipped preset', async () => {
    const info = ok(await exec('npx', ['--no', 'mesostp', 'info'], project), 'npx mesostp info');
    expect(info.stdout).toMatch(/compute check\s+passed/);
    // The launcher hides Dawn's start-up warnings from node_modules as from the repository.
    expect(info.stderr).not.toMatch(/artificially reduced/);

    const preset = join(project, 'node_modules', 'mesostp', 'scenarios', 'v2-feedforward-depression.json');
    const out = join(project, 'out', 'v2');
    ok(await exec('npx', ['--no', 'mesostp', 'run', preset, '--duration', '0.05', '--trials', '4', '--out', out], project), 'npx mesostp run');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ scenario: 'v2-feedforward-depression', level: 'micro-cpu', trials: 4, duration: 0.05 });
  }, 180_000);

  it("docs/api.md's code blocks are all run here: ts (Node), ts browser, one tsconfig, npm install", () => {
    const runnable = [...nodeExamples, ...browserExamples, ...tsconfigBlocks, ...shellBlocks];
    const others = api.filter((b) => !runnable.includes(b)).map((b) => `line ${b.line}: \`\`\`${b.lang} ${b.tag}`);
    expect(others, 'blocks this test does not run').toEqual([]);
    expect(nodeExamples.length).toBeGreaterThan(3);
    expect(browserExamples.length).toBeGreaterThan(0);
    expect(tsconfigBlocks).toHaveLength(1);
    for (const b of shellBlocks) expect(b.code.trim(), `line ${b.line}`).toMatch(/^npm install mesostp$/);
  });

  it("type-checks a TypeScript consumer and docs/api.md's examples against the installed declarations, and runs them in Node", async () => {
    const documented = JSON.parse(tsconfigBlocks[0].code) as { compilerOptions: Record<string, unknown> };
    expect(documented.compilerOptions).toMatchObject({ strict: true, types: ['node'] });
    expect(documented.compilerOptions.skipLibCheck).toBeUndefined();
    const t = performance.now();
    ok(await exec(process.execPath, [TSC, '-p', 'tsconfig.json'], project), 'tsc (the consumer and the examples)');
    console.log(`[package] tsc, ${readdirSync(join(project, 'src')).length} files: ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const main = ok(await exec(process.execPath, ['build/main.js'], project), 'the Node consumer');
    const r = JSON.parse(main.stdout.trim().split('\n').at(-1)!);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(r.version).toBe(pkg.version);
    for (const level of ['micro-gpu', 'micro-cpu', 'meso']) {
      expect(r.levels[level], level).toMatchObject({ level, trials: 3, bins: TINY_BINS, activity: 3 * TINY_BINS, stpX: 3 * TINY_BINS });
      expect(r.levels[level].rate, level).toBeGreaterThan(0);
    }
    expect(r.threads).toBe(2);
    expect(r.valid).toBe(true);
    expect(r.errors).toContain('run.dt');
    const npy = decodeNpy(new Uint8Array(readFileSync(join(project, 'activity.npy'))));
    expect(npy.shape).toEqual([3, TINY_BINS]);
    expect(Array.from(npy.data).reduce((s, v) => s + v, 0)).toBeCloseTo(r.npySum, 9);

    for (const [i, b] of nodeExamples.entries()) {
      const e = await exec(process.execPath, [`build/example-${i + 1}.js`], project);
      console.log(`[package] docs/api.md line ${b.line}:\n${e.stdout.trimEnd()}`);
      ok(e, `the example at docs/api.md line ${b.line}`);
    }
  }, 420_000);

  it('bundles a page with Vite through the browser export, and runs micro-gpu and the browser examples in Chromium', async () => {
    const outDir = join(project, 'site');
    // The repository's Vite with the consumer project as root: 'mesostp' resolves in its node_modules.
    await build({ root: project, configFile: false, logLevel: 'warn', publicDir: false, build: { outDir, emptyOutDir: true, target: 'es2022' } });
    const js = readdirSync(join(outDir, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(outDir, 'assets', f), 'utf8'))
      .join('\n');
    expect(js, 'the browser build (its WebGPU guidance)').toContain('This browser does not expose WebGPU');
    expect(js, 'not the Node build (Dawn)').not.toContain('through Dawn');

    const served = await serveStatic(outDir);
    server = served.server;
    browser = await launch(WEBGPU_ARGS);
    const page = await browser.newPage();
    const uncaught = watch(page, 'consumer');
    page.on('console', (msg) => {
      if (msg.type() === 'log') console.log(`[page] ${msg.text()}`);
    });
    await page.goto(served.url);
    await page.waitForFunction(() => (window as unknown as { __consumer?: unknown }).__consumer !== undefined, undefined, { timeout: 150_000 });
    const r = (await page.evaluate(() => (window as unknown as { __consumer: Record<string, unknown> }).__consumer)) as Record<string, any>;
    expect(r.ok, r.error).toBe(true);
    expect(r.check).toMatchObject({ level: 'micro-gpu', trials: 1, bins: TINY_BINS, activity: TINY_BINS, stpX: TINY_BINS, backend: 'browser' });
    expect(r.examples).toHaveLength(browserExamples.length);
    expect(uncaught).toEqual([]);
  }, 300_000);
});
