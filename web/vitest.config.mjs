// vitest's configuration: imports of .wasm files give their bytes, as esbuild's binary loader does in web/build.mjs.

import { readFile } from 'node:fs/promises';
import { defineConfig } from 'vitest/config';

/** Loads `*.wasm` as a module whose default export is the file's bytes. */
const wasmAsBytes = {
  name: 'wasm-as-bytes',
  enforce: 'pre',
  async load(id) {
    if (!id.endsWith('.wasm')) return null;
    const bytes = await readFile(id).catch(() => {
      throw new Error(`${id} is missing: build it with scripts/build-wasm.sh`);
    });
    return `export default Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0));`;
  },
};

export default defineConfig({ plugins: [wasmAsBytes] });
