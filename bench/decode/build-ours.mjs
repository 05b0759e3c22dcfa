// Bundles vncgate's web client from web/src into bench/decode/build/ (as web/build.mjs does for
// web/dist: esbuild, ESM, es2022, minified), so that the benchmark measures the current sources
// and never races with someone rebuilding web/dist. Needs web/node_modules (pako).
// Identifiers are not minified (whitespace and syntax are), so profiles are readable.
import { build } from 'esbuild';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// BENCH_WEB (a copy of web/ with an experimental change) and BENCH_BUILD (where to bundle) let
// a change be measured without touching web/src.
const web = process.env.BENCH_WEB ? resolve(process.env.BENCH_WEB) : resolve(here, '..', '..', 'web');
const out = process.env.BENCH_BUILD ? resolve(process.env.BENCH_BUILD) : join(here, 'build');
// Minified like web/dist, but with the names kept, so that CPU profiles name the functions.
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  logLevel: 'warning',
  // The WebAssembly inflate (scripts/build-wasm.sh), embedded as web/build.mjs does.
  loader: { '.wasm': 'binary' },
};

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: [join(web, 'src/index.ts')], outfile: join(out, 'vncgate.js') }),
  build({ ...common, entryPoints: [join(web, 'src/worker/worker-main.ts')], outfile: join(out, 'vncgate-worker.js') }),
  // The inflate micro-benchmark's worker (inflate.mjs), with web/src's InflateStream.
  build({ ...common, entryPoints: [join(here, 'page/inflate-entry.ts')], outfile: join(out, 'inflate-worker.js') }),
]);
console.error(`built ${out} from ${web}/src`);
