// Imports of WebAssembly modules: their bytes, embedded in the bundle (esbuild's binary loader; web/vitest.config.mjs in tests).

declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
