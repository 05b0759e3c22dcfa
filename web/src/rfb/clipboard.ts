// Extended clipboard payloads: parse the server's caps and provide messages, build the client's provide.

import { Inflate, deflate } from 'pako';
import { ProtocolError } from '../decoders/decoder';
import { extendedClipboardFormatText, maxClipboardTextLength } from './constants';

/** Number of format bits (0..15) set in `flags`. */
export function formatCount(flags: number): number {
  let n = 0;
  for (let i = 0; i < 16; i++) if (flags & (1 << i)) n++;
  return n;
}

/** The maximum sizes a caps message lists, keyed by format flag. */
export function parseCapsSizes(flags: number, payload: Uint8Array): Map<number, number> {
  const count = formatCount(flags);
  if (payload.length < 4 * count)
    throw new ProtocolError('extended clipboard caps message too short');
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const sizes = new Map<number, number>();
  let i = 0;
  for (let bit = 0; bit < 16; bit++) {
    if (flags & (1 << bit)) sizes.set(1 << bit, view.getUint32(4 * i++));
  }
  return sizes;
}

const zSyncFlush = 2;

/** Inflates a zlib stream, refusing output beyond `limit` bytes. */
export function inflateBounded(data: Uint8Array, limit: number): Uint8Array {
  const inflater = new Inflate({ chunkSize: 64 * 1024 });
  const chunks: Uint8Array[] = [];
  let total = 0;
  inflater.onData = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > limit) throw new ProtocolError(`clipboard data inflates beyond ${limit} bytes`);
    chunks.push(chunk);
  };
  inflater.onEnd = () => {};
  // Z_SYNC_FLUSH, not Z_FINISH: TigerVNC ends its stream with a sync flush and no end marker,
  // which Z_FINISH reports as a buffer error.
  inflater.push(data, zSyncFlush);
  if (inflater.err)
    throw new ProtocolError(`corrupt clipboard data (${inflater.msg || inflater.err})`);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * The text of a provide message, or null if it carries no text. Line ends
 * become "\n" and the terminating NUL is dropped.
 */
export function parseProvideText(flags: number, payload: Uint8Array): string | null {
  const data = inflateBounded(payload, maxClipboardTextLength + 4 * 16);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let text: string | null = null;
  for (let bit = 0; bit < 16; bit++) {
    const format = 1 << bit;
    if (!(flags & format)) continue;
    if (pos + 4 > data.length)
      throw new ProtocolError('extended clipboard provide message truncated');
    const size = view.getUint32(pos);
    pos += 4;
    if (pos + size > data.length)
      throw new ProtocolError('extended clipboard provide message truncated');
    if (format === extendedClipboardFormatText) {
      let bytes = data.subarray(pos, pos + size);
      if (bytes.length > 0 && bytes[bytes.length - 1] === 0)
        bytes = bytes.subarray(0, bytes.length - 1);
      text = new TextDecoder().decode(bytes).replace(/\r\n/g, '\n');
    }
    pos += size;
  }
  return text;
}

/** The zlib payload of a provide message with `text` (CRLF line ends, NUL-terminated UTF-8). */
export function buildProvideText(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(text.replace(/\r?\n/g, '\r\n') + '\0');
  const plain = new Uint8Array(4 + utf8.length);
  new DataView(plain.buffer).setUint32(0, utf8.length);
  plain.set(utf8, 4);
  return deflate(plain);
}
