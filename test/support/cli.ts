/**
 * The `mesostp` command as a user runs it, for the CLI tests: the Vite-bundled CLI, built once per
 * test file into a temporary folder (exactly as `npm run build:cli` does), started in a child
 * process.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';

const exec = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Registers the bundle's build (beforeAll) and removal (afterAll); `dir` is the folder it and the tests' outputs live in. */
export function bundledCli(prefix: string) {
  let dir = '';
  beforeAll(async () => {
    // Inside the repository, so that the bundle resolves its npm dependencies (webgpu, ...).
    mkdirSync('test-output', { recursive: true });
    dir = mkdtempSync(join('test-output', prefix));
    await build({ configFile: 'vite.cli.config.ts', logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    bundle: () => join(dir, 'mesostp.js'),
    /** Runs `mesostp ARGS`; the exit status, stdout and stderr, whatever the status. */
    async mesostp(args: string[], env: Record<string, string> = {}, timeout = 60_000): Promise<CliResult> {
      try {
        const { stdout, stderr } = await exec(process.execPath, [join(dir, 'mesostp.js'), ...args], { env: { ...process.env, ...env }, timeout });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
  };
}
