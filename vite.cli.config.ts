import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The Node command-line tool, bundled so that `?raw` WGSL imports resolve exactly as in
// the browser bundle and in vitest. npm dependencies (webgpu, ...) stay external.
export default defineConfig({
  publicDir: false,
  build: {
    ssr: fileURLToPath(new URL('./src/cli/entry.ts', import.meta.url)),
    outDir: fileURLToPath(new URL('./dist/cli', import.meta.url)),
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      output: { entryFileNames: 'mesostp.js', format: 'es' },
    },
  },
});
