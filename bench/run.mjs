#!/usr/bin/env node
// Runs a TypeScript script of bench/ (e.g. `node bench/run.mjs bench/agreement.ts --trials 64`):
// bundles it with Vite as vite.cli.config.ts bundles the CLI (so `?raw` WGSL imports resolve and
// the engines run at the CLI's speed, not at a transform-on-import loader's), into a temporary
// folder under test-output/ (inside the checkout, so that the bundle resolves its npm
// dependencies), then calls the script's exported `main(args)` and exits with what it returns.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';

const [entry, ...args] = process.argv.slice(2);
if (entry === undefined) {
  console.error('usage: node bench/run.mjs SCRIPT.ts [arguments of the script]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
mkdirSync(join(root, 'test-output'), { recursive: true });
const outDir = mkdtempSync(join(root, 'test-output', 'bench-run-'));
let code = 1;
try {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    build: {
      ssr: resolve(entry),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: { output: { entryFileNames: 'main.js', format: 'es' } },
    },
  });
  const script = await import(pathToFileURL(join(outDir, 'main.js')).href);
  if (typeof script.main !== 'function') throw new Error(`${entry} exports no main(args)`);
  code = (await script.main(args)) ?? 0;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(code);
