// zlib's inflate compiled to WebAssembly (web/wasm/inflate.c, built by scripts/build-wasm.sh), instantiated from bytes in the bundle.

import inflateWasmBytes from '../../wasm-out/inflate.wasm';

/** zlib's code for progress made (zlib.h). */
const Z_OK = 0;

/**
 * Bytes copied into the module's memory, and read out of it, per call: the
 * staging buffers are all the memory the module needs beyond its streams
 * (about 40 KiB each), whatever the size of the caller's data.
 */
const STAGE_IN_BYTES = 64 * 1024;
const STAGE_OUT_BYTES = 256 * 1024;

/** The functions web/wasm/inflate.c exports (pointers are offsets into `memory`). */
interface InflateExports {
  memory: WebAssembly.Memory;
  _initialize?: () => void;
  vg_inflate_new(): number;
  vg_inflate(strm: number, inPtr: number, inLen: number, outPtr: number, outLen: number): number;
  vg_inflate_avail_in(strm: number): number;
  vg_inflate_avail_out(strm: number): number;
  vg_inflate_msg(strm: number): number;
  vg_inflate_free(strm: number): void;
  vg_alloc(size: number): number;
  vg_free(ptr: number): void;
}

/**
 * One instance of the module: its memory, the two staging buffers, and the
 * streams made from it. Streams a program drops without release() are freed
 * when they are garbage-collected.
 */
export class WasmInflate {
  private heap: Uint8Array;
  private readonly freed = new FinalizationRegistry<number>((strm) =>
    this.exports.vg_inflate_free(strm),
  );

  private constructor(
    private readonly exports: InflateExports,
    private readonly inPtr: number,
    private readonly outPtr: number,
  ) {
    this.heap = new Uint8Array(exports.memory.buffer);
  }

  /**
   * Compiles and instantiates the module synchronously from `bytes`. Returns
   * null when WebAssembly is missing or refuses the module (a browser without
   * it, a Content-Security-Policy without 'wasm-unsafe-eval'), so the caller
   * falls back to pako.
   */
  static load(bytes: Uint8Array): WasmInflate | null {
    try {
      if (typeof WebAssembly !== 'object') return null;
      const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
      // The module tells of memory growth; views are renewed when the buffer changes anyway.
      const instance = new WebAssembly.Instance(module, {
        env: { emscripten_notify_memory_growth: () => {} },
      });
      const exports = instance.exports as unknown as InflateExports;
      exports._initialize?.();
      const inPtr = exports.vg_alloc(STAGE_IN_BYTES);
      const outPtr = exports.vg_alloc(STAGE_OUT_BYTES);
      if (inPtr === 0 || outPtr === 0) return null;
      return new WasmInflate(exports, inPtr, outPtr);
    } catch {
      return null;
    }
  }

  /** Bytes of memory the module holds (it grows as streams need, up to 16 MiB, and never shrinks). */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** A new raw-deflate stream with its window, or null when the module's memory is exhausted. */
  newStream(): WasmInflateStream | null {
    const strm = this.exports.vg_inflate_new();
    if (strm === 0) return null;
    const s = new WasmInflateStream(this, strm);
    this.freed.register(s, strm, s);
    return s;
  }

  /** Frees a stream's memory (its state and window). */
  release(s: WasmInflateStream, strm: number): void {
    this.freed.unregister(s);
    this.exports.vg_inflate_free(strm);
  }

  /**
   * Inflates input[inPos..) into out[outPos, outEnd) through the staging
   * buffers, until the input is used up, the output is full, the stream ends
   * or the data is corrupt. Returns zlib's code and sets s.nextIn, s.nextOut.
   */
  inflate(
    s: WasmInflateStream,
    strm: number,
    input: Uint8Array,
    inPos: number,
    out: Uint8Array,
    outPos: number,
    outEnd: number,
  ): number {
    const x = this.exports;
    let inNext = inPos;
    let outNext = outPos;
    // The part of the input now in the staging buffer: input[stagedFrom, stagedEnd).
    let stagedFrom = inPos;
    let stagedEnd = inPos;
    let ret = Z_OK;
    for (;;) {
      if (inNext === stagedEnd && inNext < input.length) {
        stagedFrom = inNext;
        stagedEnd = Math.min(input.length, inNext + STAGE_IN_BYTES);
        this.view().set(input.subarray(stagedFrom, stagedEnd), this.inPtr);
      }
      const inLen = stagedEnd - inNext;
      const outLen = Math.min(outEnd - outNext, STAGE_OUT_BYTES);
      ret = x.vg_inflate(strm, this.inPtr + (inNext - stagedFrom), inLen, this.outPtr, outLen);
      const produced = outLen - x.vg_inflate_avail_out(strm);
      inNext += inLen - x.vg_inflate_avail_in(strm);
      if (produced > 0) {
        out.set(this.view().subarray(this.outPtr, this.outPtr + produced), outNext);
        outNext += produced;
      }
      // Z_OK means progress; zlib stops short of a full output only for want of input.
      if (ret !== Z_OK) break;
      if (inNext === input.length && (produced < outLen || outNext === outEnd)) break;
    }
    s.nextIn = inNext;
    s.nextOut = outNext;
    return ret;
  }

  /** zlib's message for a stream's last error ('' if none). */
  message(strm: number): string {
    const p = this.exports.vg_inflate_msg(strm);
    if (p === 0) return '';
    const heap = this.view();
    let end = p;
    while (heap[end] !== 0) end++;
    return new TextDecoder().decode(heap.subarray(p, end));
  }

  /** The module's memory, viewed anew after it grew (growth detaches the old buffer). */
  private view(): Uint8Array {
    if (this.heap.buffer !== this.exports.memory.buffer) {
      this.heap = new Uint8Array(this.exports.memory.buffer);
    }
    return this.heap;
  }
}

/** A raw-deflate stream in a WasmInflate module: zlib's state and window live in its memory. */
export class WasmInflateStream {
  /** Where the last inflate() stopped in its input and its output. */
  nextIn = 0;
  nextOut = 0;

  /** `strm` is the module's pointer to the z_stream; 0 once released. */
  constructor(
    private readonly module: WasmInflate,
    private strm: number,
  ) {}

  /** See WasmInflate.inflate. */
  inflate(
    input: Uint8Array,
    inPos: number,
    out: Uint8Array,
    outPos: number,
    outEnd: number,
  ): number {
    return this.module.inflate(this, this.strm, input, inPos, out, outPos, outEnd);
  }

  get msg(): string {
    return this.module.message(this.strm);
  }

  /** Frees the stream; it must not be used afterwards. */
  release(): void {
    if (this.strm === 0) return;
    this.module.release(this, this.strm);
    this.strm = 0;
  }
}

let shared: WasmInflate | null | undefined;

/** The module instantiated from the bundle's bytes, once per thread; null if WebAssembly is unusable. */
export function bundledWasmInflate(): WasmInflate | null {
  if (shared === undefined) shared = WasmInflate.load(inflateWasmBytes);
  return shared;
}
