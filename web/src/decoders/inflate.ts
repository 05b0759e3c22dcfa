// One persistent zlib stream that inflates a rectangle's compressed bytes, as they arrive, into a caller's buffer.

import {
  ZStream,
  zlibInflate,
  zlibInflateInit2,
  Z_BUF_ERROR,
  Z_OK,
  Z_STREAM_END,
  Z_SYNC_FLUSH,
} from 'pako';
import { maxCompressedLength } from './common';
import { ProtocolError } from './decoder';
import { bundledWasmInflate, type WasmInflate } from './inflate-wasm';

const EMPTY = new Uint8Array(0);

/** Bytes of the zlib header (CMF, FLG) and of the Adler-32 trailer after the last block. */
const ZLIB_HEADER_BYTES = 2;
const ZLIB_TRAILER_BYTES = 4;
/** Raw deflate with the largest window: the zlib wrapper is handled here. */
const RAW_DEFLATE_WINDOW_BITS = -15;

/** A raw-deflate stream: zlib in WebAssembly (WasmInflateStream) or pako (PakoStream). */
interface RawInflateStream {
  /** Where the last inflate() stopped in its input and its output. */
  readonly nextIn: number;
  readonly nextOut: number;
  /** zlib's message for the last error. */
  readonly msg: string;
  /**
   * Inflates input[inPos..) into out[outPos, outEnd) until the input is used
   * up, the output is full, the stream ends or the data is corrupt; returns
   * zlib's code.
   */
  inflate(
    input: Uint8Array,
    inPos: number,
    out: Uint8Array<ArrayBuffer>,
    outPos: number,
    outEnd: number,
  ): number;
  /** Frees what the stream holds; it is not used afterwards. */
  release(): void;
}

/** pako 3's inflate: the fallback where WebAssembly is unusable. */
class PakoStream implements RawInflateStream {
  private readonly strm = new ZStream();
  nextIn = 0;
  nextOut = 0;

  constructor() {
    zlibInflateInit2(this.strm, RAW_DEFLATE_WINDOW_BITS);
  }

  get msg(): string {
    return this.strm.msg;
  }

  inflate(
    input: Uint8Array,
    inPos: number,
    out: Uint8Array<ArrayBuffer>,
    outPos: number,
    outEnd: number,
  ): number {
    const strm = this.strm;
    strm.input = input;
    strm.next_in = inPos;
    strm.avail_in = input.length - inPos;
    strm.output = out;
    strm.next_out = outPos;
    strm.avail_out = outEnd - outPos;
    const ret = zlibInflate(strm, Z_SYNC_FLUSH);
    this.nextIn = strm.next_in;
    this.nextOut = strm.next_out;
    // The stream keeps its own window: hold on to neither of the caller's buffers.
    strm.input = EMPTY;
    strm.output = EMPTY;
    return ret;
  }

  release(): void {}
}

/**
 * A zlib stream that lives as long as the connection (Zlib and ZRLE use one,
 * Tight four): each rectangle's data continues the previous one's, with the
 * same dictionary. Output goes straight into the caller's buffer, bounded by
 * the end the caller gives, so a stream can never inflate to more than the
 * rectangle may hold.
 *
 * The 2-byte zlib header is checked here and the data inflated as raw
 * deflate: VNC streams never end, so their Adler-32 checksum is never
 * compared, and computing it would cost a fifth of the inflate time.
 *
 * zlib compiled to WebAssembly does the inflating, about 1.5 times as fast
 * as pako; pako takes over where WebAssembly is unusable, or for a stream
 * the module has no memory left for. Each stream has its own zlib state and
 * window (about 40 KiB of the module's memory), freed by reset() or when the
 * stream is garbage-collected.
 */
export class InflateStream {
  private strm: RawInflateStream | null = null;
  private readonly probe = new Uint8Array(1);
  /** Header bytes still to read, and the first one (CMF) once read. */
  private headerLeft = ZLIB_HEADER_BYTES;
  private cmf = 0;
  /** After the last block: trailer bytes still to skip; -1 while the stream goes on. */
  private trailerLeft = -1;

  /** Input bytes the last inflate() left unconsumed because the output was full. */
  remainingInput = 0;

  /**
   * `wasm` is the WebAssembly module to inflate with (by default the bundle's,
   * instantiated once per thread); null, or a module out of memory, means pako.
   */
  constructor(
    private readonly name: string,
    private readonly wasm: WasmInflate | null = bundledWasmInflate(),
  ) {}

  /** Which inflate this stream runs: zlib in WebAssembly, or pako (it starts the stream if need be). */
  get engine(): 'wasm' | 'pako' {
    return this.stream() instanceof PakoStream ? 'pako' : 'wasm';
  }

  /** Starts a new zlib stream (Tight's reset bits, a new connection), freeing the old one's memory. */
  reset(): void {
    this.strm?.release();
    this.strm = null;
    this.headerLeft = ZLIB_HEADER_BYTES;
    this.trailerLeft = -1;
    this.remainingInput = 0;
  }

  /**
   * Inflates `input` into out[pos, end) and returns the new output position.
   * Stops early only when the output reaches `end`; `remainingInput` then
   * tells how much input is left. Throws ProtocolError on corrupt data.
   */
  inflate(input: Uint8Array, out: Uint8Array<ArrayBuffer>, pos: number, end: number): number {
    let skip = 0;
    while (this.headerLeft > 0 && skip < input.length) this.readHeader(input[skip++]);
    if (this.trailerLeft >= 0) {
      const n = Math.min(this.trailerLeft, input.length - skip);
      this.trailerLeft -= n;
      if (skip + n < input.length) {
        throw new ProtocolError(`${this.name}: data after the end of the zlib stream`);
      }
      this.remainingInput = 0;
      return pos;
    }
    const strm = this.stream();
    const ret = strm.inflate(input, skip, out, pos, end);
    this.check(ret);
    const next = strm.nextOut;
    this.remainingInput = input.length - strm.nextIn;
    if (ret === Z_STREAM_END) {
      // A server that finished its stream: skip the checksum, allow nothing after it.
      this.trailerLeft = ZLIB_TRAILER_BYTES;
      const rest = input.subarray(strm.nextIn);
      this.remainingInput = 0;
      if (rest.length > 0) this.inflate(rest, out, next, end);
    }
    return next;
  }

  /**
   * Throws if the stream holds output it decoded but had no room to write:
   * the rectangle's data inflates to more than the rectangle holds. Call it
   * when a rectangle's output is exactly full and all its input consumed.
   */
  checkNoPendingOutput(limit: number): void {
    if (this.headerLeft > 0 || this.trailerLeft >= 0) return;
    const strm = this.stream();
    const ret = strm.inflate(EMPTY, 0, this.probe, 0, 1);
    if (strm.nextOut !== 0) {
      throw new ProtocolError(`${this.name}: zlib data inflates to more than ${limit} bytes`);
    }
    this.check(ret);
  }

  private readHeader(b: number): void {
    if (this.headerLeft === ZLIB_HEADER_BYTES) {
      this.cmf = b;
      this.headerLeft--;
      return;
    }
    this.headerLeft--;
    const cmf = this.cmf;
    if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | b) % 31 !== 0) {
      throw new ProtocolError(`${this.name}: corrupt zlib data (bad zlib header)`);
    }
    if (b & 0x20) {
      throw new ProtocolError(`${this.name}: corrupt zlib data (preset dictionary)`);
    }
  }

  private check(ret: number): void {
    if (ret === Z_OK || ret === Z_STREAM_END || ret === Z_BUF_ERROR) return;
    const msg = this.strm?.msg || `error ${ret}`;
    throw new ProtocolError(`${this.name}: corrupt zlib data (${msg})`);
  }

  private stream(): RawInflateStream {
    if (this.strm === null) this.strm = this.wasm?.newStream() ?? new PakoStream();
    return this.strm;
  }
}

/**
 * Inflates one rectangle's compressed data of a known length into a buffer of
 * exactly `size` bytes, consuming the data as it arrives (Zlib, Tight). The
 * caller feeds byte views; done() says when all `length` bytes are in.
 */
export class ExactInflater {
  private remaining = 0;
  private pos = 0;
  private size = 0;

  constructor(private readonly name: string) {}

  /** Prepares for `length` compressed bytes that must inflate to exactly `size` bytes. */
  begin(length: number, size: number): void {
    if (length > maxCompressedLength(size)) {
      throw new ProtocolError(
        `${this.name}: compressed length ${length} is too large for ${size} bytes of pixel data`,
      );
    }
    this.remaining = length;
    this.pos = 0;
    this.size = size;
  }

  /** Compressed bytes still expected. */
  get wanted(): number {
    return this.remaining;
  }

  /** Bytes inflated so far into the output. */
  get produced(): number {
    return this.pos;
  }

  /**
   * Inflates the next compressed bytes (at most `wanted`) into out[0, size).
   * Returns true when all compressed bytes are in and the output is complete.
   * Throws ProtocolError when the data inflates to more or less than `size`.
   */
  feed(stream: InflateStream, input: Uint8Array, out: Uint8Array<ArrayBuffer>): boolean {
    this.remaining -= input.length;
    this.pos = stream.inflate(input, out, this.pos, this.size);
    if (stream.remainingInput > 0) {
      throw new ProtocolError(`${this.name}: zlib data inflates to more than ${this.size} bytes`);
    }
    if (this.remaining > 0) return false;
    if (this.pos < this.size) {
      throw new ProtocolError(
        `${this.name}: truncated zlib data (${this.pos} of ${this.size} bytes)`,
      );
    }
    stream.checkNoPendingOutput(this.size);
    return true;
  }
}
