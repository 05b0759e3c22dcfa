// websockify's session recording format (what `vncgate --record` writes) and the compact
// binary form the replay page loads.
import { readFileSync, writeFileSync } from 'node:fs';

/** Undoes websockify's escaping of one data field: \\ \t \n \r \' and \xNN; all else literal. */
function unescapeData(text) {
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    const e = text[++i];
    if (e === 'x') {
      out[n++] = parseInt(text.substr(i + 1, 2), 16);
      i += 2;
    } else if (e === 'n') out[n++] = 0x0a;
    else if (e === 'r') out[n++] = 0x0d;
    else if (e === 't') out[n++] = 0x09;
    else if (e === '\\' || e === "'") out[n++] = e.charCodeAt(0);
    else throw new Error(`unknown escape \\${e} in the recording`);
  }
  return out.subarray(0, n);
}

/**
 * Reads a recording file: `var VNC_frame_data = [ '{ms{data', '}ms}data', ..., 'EOF'];`.
 * Returns { frames: [{ fromServer, ms, data: Buffer }], complete }, where `complete` says
 * whether the 'EOF' line was there.
 */
export function readRecording(file) {
  const text = readFileSync(file, 'latin1');
  const frames = [];
  let complete = false;
  for (const line of text.split('\n')) {
    if (line === "'EOF'];") {
      complete = true;
      continue;
    }
    const m = /^'([{}])(\d+)[{}](.*)',$/.exec(line);
    if (!m) continue;
    frames.push({ fromServer: m[1] === '{', ms: Number(m[2]), data: unescapeData(m[3]) });
  }
  return { frames, complete };
}

/**
 * Writes the server-to-client frames as the replay page reads them: per frame a u32
 * little-endian length, then the bytes. Returns { frames, bytes } written.
 */
export function writeServerFrames(frames, file) {
  const server = frames.filter((f) => f.fromServer);
  const parts = [];
  let bytes = 0;
  for (const f of server) {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(f.data.length);
    parts.push(head, f.data);
    bytes += f.data.length;
  }
  writeFileSync(file, Buffer.concat(parts));
  return { frames: server.length, bytes };
}
