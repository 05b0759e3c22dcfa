// Pulls the zlib stream out of a ZRLE recording (recordings/zrle.bin): the handshake is skipped,
// then every FramebufferUpdate's ZRLE rectangles give their compressed bytes, in order. For the
// inflate micro-benchmark (inflate.mjs).
import { readFileSync } from 'node:fs';

/**
 * Returns the compressed chunks (one per ZRLE rectangle) of the recording `file`, an array with
 * `updates`: the number of FramebufferUpdates they came in.
 */
export function zrleChunks(file) {
  const raw = readFileSync(file);
  const parts = [];
  for (let off = 0; off < raw.length; ) {
    const len = raw.readUInt32LE(off);
    parts.push(raw.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  const b = Buffer.concat(parts);
  let p = 12; // version
  const nTypes = b[p++];
  p += nTypes + 4; // types, SecurityResult
  p += 24 + b.readUInt32BE(p + 20); // ServerInit and name
  const chunks = [];
  chunks.updates = 0;
  while (p < b.length) {
    if (b[p] !== 0) throw new Error(`message type ${b[p]} at ${p}`);
    const rects = b.readUInt16BE(p + 2);
    p += 4;
    chunks.updates++;
    for (let i = 0; i < rects; i++) {
      if (p + 12 > b.length) return chunks;
      const enc = b.readInt32BE(p + 8);
      p += 12;
      if (enc === 16) {
        if (p + 4 > b.length) return chunks;
        const n = b.readUInt32BE(p);
        if (p + 4 + n > b.length) return chunks;
        chunks.push(b.subarray(p + 4, p + 4 + n));
        p += 4 + n;
      } else if (enc !== -223) throw new Error(`encoding ${enc}`);
    }
  }
  return chunks;
}
