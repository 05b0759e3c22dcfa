// Extended clipboard payloads: provide messages ended with Z_FINISH (noVNC, ours) and with a sync flush only (TigerVNC).

import { Deflate } from 'pako';
import { describe, expect, it } from 'vitest';
import { buildProvideText, parseProvideText } from '../../src/rfb/clipboard';

/** A text provide payload compressed the way TigerVNC does it: a sync flush, no stream end. */
function syncFlushed(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(text + '\0');
  const plain = new Uint8Array(4 + utf8.length);
  new DataView(plain.buffer).setUint32(0, utf8.length);
  plain.set(utf8, 4);
  const d = new Deflate();
  const chunks: Uint8Array[] = [];
  d.onData = (chunk: Uint8Array) => chunks.push(chunk);
  d.push(plain, 2); // Z_SYNC_FLUSH
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

describe('parseProvideText', () => {
  it('reads a stream that ends with Z_FINISH', () => {
    expect(parseProvideText(1, buildProvideText('héllo\nworld'))).toBe('héllo\nworld');
  });

  it('reads a stream that ends with a sync flush (TigerVNC)', () => {
    expect(parseProvideText(1, syncFlushed('from X: ünï € ✓\r\nline 2'))).toBe(
      'from X: ünï € ✓\nline 2',
    );
  });

  it('refuses corrupt data', () => {
    expect(() => parseProvideText(1, new Uint8Array([1, 2, 3, 4, 5]))).toThrow(/corrupt/);
  });
});
