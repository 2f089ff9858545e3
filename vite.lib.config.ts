import { defineConfig } from 'vite';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The library (docs/api.md): two ES-module builds into dist/lib, one per entry, because code
// that runs only in Node is chosen by `import.meta.env.SSR` (true in the Node build, false in
// the browser build, which so leaves node:os and node:worker_threads out).
//   dist/lib/index.js    src/index.ts    Node: Dawn, worker threads, files
//   dist/lib/browser.js  src/browser.ts  the browser: everything else
// WGSL `?raw` imports are inlined as strings, so a user's bundler needs no plugin. npm
// dependencies and node:* modules stay external: they are the package's dependencies. The
// types come from `tsc -p tsconfig.lib.json` (dist/types).
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
const dependencies = Object.keys(pkg.dependencies ?? {});
const external = (id: string) => id.startsWith('node:') || dependencies.some((d) => id === d || id.startsWith(`${d}/`));

const outDir = fileURLToPath(new URL('./dist/lib', import.meta.url));
const entry = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

function library(name: 'index' | 'browser', target: string) {
  return {
    build: {
      outDir,
      // The first build (browser) empties dist/lib; the second adds to it.
      emptyOutDir: name === 'browser',
      target,
      // Readable as it is (not minified); no source maps, which would point at sources the package leaves out.
      sourcemap: false,
      minify: false,
      copyPublicDir: false,
      lib: { entry: { [name]: entry(`${name}.ts`) }, formats: ['es' as const] },
      rolldownOptions: {
        external,
        // Chunks (the code behind dynamic imports) of the two builds side by side, apart.
        output: { chunkFileNames: `chunks/${name}-[name]-[hash].js` },
      },
    },
  };
}

export default defineConfig({
  publicDir: false,
  builder: {
    async buildApp(builder) {
      // tsc (run next by `npm run build:lib`) adds to dist/types: stale declarations go first.
      rmSync(fileURLToPath(new URL('./dist/types', import.meta.url)), { recursive: true, force: true });
      await builder.build(builder.environments.browser);
      await builder.build(builder.environments.node);
    },
  },
  environments: {
    browser: { consumer: 'client', ...library('browser', 'es2022') },
    node: { consumer: 'server', ...library('index', 'node20') },
  },
});
