// The inflate micro-benchmark's worker (bundled by build-ours.mjs): inflates a ZRLE recording's
// zlib stream chunk by chunk with web/src's InflateStream (zlib in WebAssembly, or its pako 3
// fallback), noVNC's vendored pako, or the browser's DecompressionStream('deflate'), and answers
// with the wall time and the bytes produced.
import { InflateStream } from '../../../web/src/decoders/inflate';
import { bundledWasmInflate, type WasmInflate } from '../../../web/src/decoders/inflate-wasm';
// noVNC 1.7's vendored pako (1.0), as its Inflator drives it, for comparison.
// @ts-expect-error: plain JS without types
import { inflate as novncInflate, inflateInit as novncInflateInit } from '../node_modules/@novnc/novnc/vendor/pako/lib/zlib/inflate.js';
// @ts-expect-error: plain JS without types
import NovncZStream from '../node_modules/@novnc/novnc/vendor/pako/lib/zlib/zstream.js';

/** noVNC's pako: each chunk inflated into one reused 1 MiB output buffer (grown as needed). */
async function novncPako(chunks: Uint8Array[]): Promise<number> {
  const strm = new NovncZStream();
  strm.output = new Uint8Array(1 << 20);
  novncInflateInit(strm);
  let total = 0;
  for (const c of chunks) {
    strm.input = c;
    strm.next_in = 0;
    strm.avail_in = c.length;
    for (;;) {
      strm.next_out = 0;
      strm.avail_out = strm.output.length;
      const ret = novncInflate(strm, 0);
      if (ret < 0) throw new Error(`noVNC pako: ${ret}`);
      total += strm.next_out;
      if (strm.avail_in === 0) break;
      if (strm.next_out === 0) strm.output = new Uint8Array(strm.output.length * 2);
    }
  }
  return total;
}

/** web/src's InflateStream with zlib in WebAssembly (`wasm`), or with pako (null). */
async function inflateStream(chunks: Uint8Array[], wasm: WasmInflate | null): Promise<number> {
  const s = new InflateStream('bench', wasm);
  if (s.engine !== (wasm ? 'wasm' : 'pako')) throw new Error(`inflate engine: ${s.engine}`);
  let out = new Uint8Array(1 << 20);
  let total = 0;
  for (const c of chunks) {
    let input = c;
    for (;;) {
      const pos = s.inflate(input, out, 0, out.length);
      total += pos;
      if (s.remainingInput === 0) break;
      input = input.subarray(input.length - s.remainingInput);
      if (pos === 0) out = new Uint8Array(out.length * 2);
    }
  }
  return total;
}

async function native(chunks: Uint8Array[]): Promise<number> {
  const ds = new DecompressionStream('deflate');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let total = 0;
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      total += value.length;
    }
  })();
  // One chunk at a time, waiting for the writer as a decoder that needs each rectangle's
  // output before the next would.
  for (const c of chunks) await writer.write(c);
  await writer.close().catch(() => {});
  await reading.catch(() => {});
  return total;
}

/** The chunks joined in groups of `n`: about one FramebufferUpdate's rectangles each. */
function batched(chunks: Uint8Array[], n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < chunks.length; i += n) {
    const group = chunks.slice(i, i + n);
    const joined = new Uint8Array(group.reduce((a, c) => a + c.length, 0));
    let off = 0;
    for (const c of group) {
      joined.set(c, off);
      off += c.length;
    }
    out.push(joined);
  }
  return out;
}

self.onmessage = async (e: MessageEvent) => {
  const { method, chunks, batch } = e.data as {
    method: 'pako' | 'native' | 'novnc-pako' | 'wasm';
    chunks: Uint8Array[];
    batch?: number;
  };
  const input = batch ? batched(chunks, batch) : chunks;
  const t0 = performance.now();
  const run = {
    pako: (c: Uint8Array[]) => inflateStream(c, null),
    wasm: (c: Uint8Array[]) => inflateStream(c, bundledWasmInflate()),
    'novnc-pako': novncPako,
    native,
  }[method];
  const bytes = await run(input);
  (self as unknown as Worker).postMessage({ method, ms: performance.now() - t0, bytes });
};
