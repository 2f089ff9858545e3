#!/usr/bin/env node
// Launcher for the bundled CLI (vite.cli.config.ts builds dist/cli/mesostp.js, so that WGSL
// `?raw` imports resolve exactly as in the browser bundle and the tests).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli/mesostp.js', import.meta.url));
if (!existsSync(bundle)) {
  console.error('mesostp: the CLI is not built yet. Run `npm run build:cli` (or `bash scripts/setup.sh`).');
  process.exit(1);
}
await import(bundle);
