// Bundles the web client with esbuild into dist/: vncgate.js (library), vncgate-worker.js, the viewer page (html, js, css).

import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
  // The WebAssembly inflate, embedded as bytes: no extra fetch, in the worker or on the page.
  loader: { '.wasm': 'binary' },
};

// wasm-out/inflate.wasm, rebuilt if its sources changed (needs Debian's emscripten).
try {
  execFileSync(join(root, '..', 'scripts', 'build-wasm.sh'), { stdio: 'inherit' });
} catch {
  console.error('build.mjs: scripts/build-wasm.sh failed: cannot build web/wasm-out/inflate.wasm');
  process.exit(1);
}

/** The page imports the library as the separate module ./vncgate.js instead of bundling a second copy. */
const libraryAsExternal = {
  name: 'library-as-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index$/ }, () => ({ path: './vncgate.js', external: true }));
  },
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await Promise.all([
  build({
    ...common,
    entryPoints: [join(root, 'src/index.ts')],
    outfile: join(dist, 'vncgate.js'),
  }),
  build({
    ...common,
    entryPoints: [join(root, 'src/worker/worker-main.ts')],
    outfile: join(dist, 'vncgate-worker.js'),
  }),
  build({
    ...common,
    entryPoints: [join(root, 'src/api/page.ts')],
    outfile: join(dist, 'vncgate-page.js'),
    plugins: [libraryAsExternal],
  }),
]);
await copyFile(join(root, 'src/ui/styles.css'), join(dist, 'vncgate.css'));
await copyFile(join(root, 'src/api/page.html'), join(dist, 'vnc.html'));
await copyFile(join(root, 'src/api/page.html'), join(dist, 'index.html'));
console.log('built', dist);
