import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The browser app. WGSL sources are imported with `?raw`, the same way the CLI bundle
// (vite.cli.config.ts) and the tests (vitest) import them.
export default defineConfig({
  root: fileURLToPath(new URL('./src/app', import.meta.url)),
  base: './',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/app', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
