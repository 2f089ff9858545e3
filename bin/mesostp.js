#!/usr/bin/env node
// Launcher for the bundled CLI (vite.cli.config.ts builds dist/cli/mesostp.js, so that WGSL
// `?raw` imports resolve exactly as in the browser bundle and the tests).
//
// The CLI runs in a child process whose stderr passes through a filter: Dawn's native code
// prints start-up warnings (e.g. "maxDynamicUniformBuffersPerPipelineLayout artificially
// reduced…") straight to file descriptor 2, where no JavaScript can intercept them, and they
// mean nothing to a user. MESOSTP_DAWN_WARNINGS=1 runs the CLI in this process and shows them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli/mesostp.js', import.meta.url));
if (!existsSync(bundle)) {
  console.error('mesostp: the CLI is not built yet. Run `npm run build:cli` (or `bash scripts/setup.sh`).');
  process.exit(1);
}

if (process.env.MESOSTP_DAWN_WARNINGS === '1') {
  await import(bundle);
} else {
  /** Dawn's warnings about limits it lowers for its own bookkeeping: harmless, and not ours to act on. */
  const DAWN_NOISE = /^Warning: max\w+ artificially reduced from \d+ to \d+ to fit [^\n]*\n?/gm;
  const child = spawn(process.execPath, [...process.execArgv, bundle, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'pipe'],
    // The progress bar is drawn only on a terminal; the child's stderr is our pipe, so say what it leads to.
    env: { ...process.env, MESOSTP_STDERR_TTY: process.stderr.isTTY ? '1' : '0' },
  });
  child.stderr.on('data', (chunk) => {
    const text = chunk.toString('utf8').replace(DAWN_NOISE, '');
    if (text) process.stderr.write(text);
  });
  // Ctrl-C at a terminal reaches the child directly (same process group), and a second copy would
  // make it quit without writing its partial results; a SIGINT sent to the launcher alone (a
  // script's `kill -INT`) is passed on. Other signals are always passed on.
  const fromTerminal = Boolean(process.stdin.isTTY || process.stderr.isTTY);
  process.on('SIGINT', () => {
    if (!fromTerminal) child.kill('SIGINT');
  });
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exitCode = code ?? 1;
  });
}
