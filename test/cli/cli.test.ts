/**
 * The `mesostp` command as a user runs it: the Vite-bundled CLI (built here into a temporary
 * folder, exactly as `npm run build:cli` does) started in a child process.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let outDir = '';

async function mesostp(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(outDir, 'mesostp.js'), ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  // Inside the repository, so that the bundle resolves its npm dependencies (webgpu, ...).
  mkdirSync('test-output', { recursive: true });
  outDir = mkdtempSync(join('test-output', 'cli-'));
  await build({ configFile: 'vite.cli.config.ts', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
});

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('mesostp CLI', () => {
  it('--help lists the commands', async () => {
    const r = await mesostp(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: mesostp <command>/);
    expect(r.stdout).toMatch(/\binfo\b/);
  });

  it('rejects an unknown command with exit status 2 and the usage', async () => {
    const r = await mesostp(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('info names the adapter, its limits, and passes the compute check', async () => {
    const r = await mesostp(['info']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^adapter\s+\S/m);
    expect(r.stdout).toMatch(/feature level\s+(core|compatibility)/);
    expect(r.stdout).toMatch(/maxStorageBufferBindingSize\s+[\d,]+/);
    expect(r.stdout).toMatch(/compute check\s+passed/);
    console.log(`[mesostp] CLI info reports: ${r.stdout.split('\n')[0].replace(/^adapter\s+/, '')}`);
  });

  it('info --json is machine-readable', async () => {
    const r = await mesostp(['info', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.ok).toBe(true);
    expect(parsed.adapter.limits.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
  });

  it('check describes a valid preset and exits 0', async () => {
    const r = await mesostp(['check', 'scenarios/demo.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^demo: .*Populations: .*Projections: .*Run: 10 trial\(s\)/);
  });

  it('check lists every problem of a bad scenario and exits 1', async () => {
    const bad = join(outDir, 'bad.json');
    const s = JSON.parse(readFileSync('scenarios/demo.json', 'utf8'));
    s.populations.neurons.tauM = -1;
    s.projections[0].stp.U = 2;
    writeFileSync(bad, JSON.stringify(s));
    const r = await mesostp(['check', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2 problem\(s\)/);
    expect(r.stderr).toMatch(/populations\.neurons\.tauM: must be > 0/);
    expect(r.stderr).toMatch(/projections\[0\]\.stp\.U: must be ≤ 1/);
  });

  it('info without a usable adapter exits 2 and says what to install', async () => {
    // A backend that does not exist on this platform: Dawn finds no adapter.
    const r = await mesostp(['info'], { MESOSTP_GPU_BACKEND: process.platform === 'win32' ? 'metal' : 'd3d12' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/found no WebGPU adapter/);
    expect(r.stderr).toMatch(/install-system-deps\.sh/);
  });
});
