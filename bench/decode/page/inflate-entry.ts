// The inflate micro-benchmark's worker (bundled by build-ours.mjs): inflates a ZRLE recording's
// zlib stream chunk by chunk with web/src's InflateStream (zlib in WebAssembly, or its pako 3
// fallback), noVNC's vendored pako, fflate's streaming Inflate or the browser's
// DecompressionStream('deflate'), and answers with the wall time and the bytes produced (with
// `verify`: also a digest of the output and how much of it each chunk gave).
import { Inflate as FflateInflate } from 'fflate';
import { InflateStream } from '../../../web/src/decoders/inflate';
import { bundledWasmInflate, type WasmInflate } from '../../../web/src/decoders/inflate-wasm';
// noVNC 1.7's vendored pako (1.0), as its Inflator drives it, for comparison.
// prettier-ignore
// @ts-expect-error: plain JS without types
import { inflate as novncInflate, inflateInit as novncInflateInit } from '../node_modules/@novnc/novnc/vendor/pako/lib/zlib/inflate.js';
// @ts-expect-error: plain JS without types
import NovncZStream from '../node_modules/@novnc/novnc/vendor/pako/lib/zlib/zstream.js';

/**
 * Where a variant's output goes: counted, or with `verify` also hashed (FNV-1a) and the output
 * of every chunk counted, so that the variants can be checked to give the same bytes and every
 * rectangle's output complete after its own chunk (ZRLE needs it: the server sync-flushes).
 */
class Sink {
  bytes = 0;
  hash = 0x811c9dc5;
  readonly sizes: number[] = [];
  private chunkStart = 0;

  constructor(private readonly verify: boolean) {}

  add(buf: Uint8Array, end: number): void {
    this.bytes += end;
    if (!this.verify) return;
    let h = this.hash;
    for (let i = 0; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    this.hash = h;
  }

  /** After each chunk's input (not meaningful for DecompressionStream, whose output comes later). */
  endChunk(): void {
    if (!this.verify) return;
    this.sizes.push(this.bytes - this.chunkStart);
    this.chunkStart = this.bytes;
  }
}

/** noVNC's pako: each chunk inflated into one reused 1 MiB output buffer (grown as needed). */
async function novncPako(chunks: Uint8Array[], sink: Sink): Promise<void> {
  const strm = new NovncZStream();
  strm.output = new Uint8Array(1 << 20);
  novncInflateInit(strm);
  for (const c of chunks) {
    strm.input = c;
    strm.next_in = 0;
    strm.avail_in = c.length;
    for (;;) {
      strm.next_out = 0;
      strm.avail_out = strm.output.length;
      const ret = novncInflate(strm, 0);
      if (ret < 0) throw new Error(`noVNC pako: ${ret}`);
      sink.add(strm.output, strm.next_out);
      if (strm.avail_in === 0) break;
      if (strm.next_out === 0) strm.output = new Uint8Array(strm.output.length * 2);
    }
    sink.endChunk();
  }
}

/** web/src's InflateStream with zlib in WebAssembly (`wasm`), or with pako (null). */
async function inflateStream(
  chunks: Uint8Array[],
  wasm: WasmInflate | null,
  sink: Sink,
): Promise<void> {
  const s = new InflateStream('bench', wasm);
  if (s.engine !== (wasm ? 'wasm' : 'pako')) throw new Error(`inflate engine: ${s.engine}`);
  let out = new Uint8Array(1 << 20);
  for (const c of chunks) {
    let input = c;
    for (;;) {
      const pos = s.inflate(input, out, 0, out.length);
      sink.add(out, pos);
      if (s.remainingInput === 0) break;
      input = input.subarray(input.length - s.remainingInput);
      if (pos === 0) out = new Uint8Array(out.length * 2);
    }
    sink.endChunk();
  }
}

/**
 * fflate's streaming Inflate (raw deflate), one push per chunk and never `final` (a VNC stream
 * does not end); the 2-byte zlib header is checked and skipped here, as InflateStream does. Its
 * output comes through `ondata`, a new array per push.
 */
async function fflate(chunks: Uint8Array[], sink: Sink): Promise<void> {
  const strm = new FflateInflate((data) => sink.add(data, data.length));
  let headerLeft = 2;
  let cmf = 0;
  for (const c of chunks) {
    let skip = 0;
    for (; headerLeft > 0 && skip < c.length; headerLeft--) {
      const b = c[skip++];
      if (headerLeft === 2) cmf = b;
      else if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | b) % 31 !== 0 || b & 0x20) {
        throw new Error('fflate: bad zlib header');
      }
    }
    strm.push(skip ? c.subarray(skip) : c);
    sink.endChunk();
  }
}

async function native(chunks: Uint8Array[], sink: Sink): Promise<void> {
  const ds = new DecompressionStream('deflate');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      sink.add(value, value.length);
    }
  })();
  // One chunk at a time, waiting for the writer as a decoder that needs each rectangle's
  // output before the next would.
  for (const c of chunks) await writer.write(c);
  // The stream never ends, so close() errors it, dropping output still queued for the reader:
  // let the reader take it all first (one macrotask: the reads resolve as microtasks).
  await new Promise((resolve) => setTimeout(resolve, 0));
  await writer.close().catch(() => {});
  await reading.catch(() => {});
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
  const { method, chunks, batch, verify } = e.data as {
    method: 'pako' | 'native' | 'novnc-pako' | 'wasm' | 'fflate';
    chunks: Uint8Array[];
    batch?: number;
    verify?: boolean;
  };
  const input = batch ? batched(chunks, batch) : chunks;
  const sink = new Sink(verify ?? false);
  const t0 = performance.now();
  const run = {
    pako: (c: Uint8Array[], s: Sink) => inflateStream(c, null, s),
    wasm: (c: Uint8Array[], s: Sink) => inflateStream(c, bundledWasmInflate(), s),
    'novnc-pako': novncPako,
    fflate,
    native,
  }[method];
  await run(input, sink);
  const ms = performance.now() - t0;
  const digest = verify ? (sink.hash >>> 0).toString(16).padStart(8, '0') : undefined;
  const sizes = verify && method !== 'native' ? sink.sizes : undefined;
  (self as unknown as Worker).postMessage({ method, ms, bytes: sink.bytes, digest, sizes });
};
