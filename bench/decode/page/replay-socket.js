// A WebSocket look-alike that plays a recording's server-to-client frames back with no network,
// one frame per task (as fast as the client takes them), and counts the FramebufferUpdateRequests
// the client sends, which mark the end of each update it has read. Used by noVNC (as its
// "channel") and by vncgate's client, in its worker or on the page, as the global WebSocket.
// Control is by BroadcastChannel 'vncgate-bench': the socket posts {type:'ready'} once its
// recording is loaded, starts on {type:'start'}, and posts {type:'done', ...} when the client
// has been quiet for QUIET_MS after the last frame.

export const CHANNEL = 'vncgate-bench';
/** After the last frame, the client counts as finished after this long without a request. */
const QUIET_MS = 500;

/** Splits the .bin file (u32 little-endian length, bytes; repeated) into one ArrayBuffer per frame. */
export function splitFrames(buffer) {
  const view = new DataView(buffer);
  const frames = [];
  for (let off = 0; off < buffer.byteLength; ) {
    const len = view.getUint32(off, true);
    frames.push(buffer.slice(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return frames;
}

/**
 * Parses what the client sends, after its handshake (14 bytes: version, security type,
 * ClientInit), into RFB client messages, counting FramebufferUpdateRequests.
 */
class ClientStream {
  constructor() {
    this.skip = 14;
    this.pending = new Uint8Array(0);
    this.updateRequests = 0;
    this.lastRequestAt = 0;
  }

  push(bytes) {
    let b = bytes;
    if (this.skip > 0) {
      const n = Math.min(this.skip, b.length);
      this.skip -= n;
      b = b.subarray(n);
    }
    const all = new Uint8Array(this.pending.length + b.length);
    all.set(this.pending);
    all.set(b, this.pending.length);
    let off = 0;
    for (;;) {
      const n = messageLength(all, off);
      if (n === 0 || off + n > all.length) break;
      if (all[off] === 3) {
        this.updateRequests++;
        this.lastRequestAt = performance.now();
      }
      off += n;
    }
    this.pending = all.slice(off);
  }
}

/** Length of the client message at `off`, or 0 if more bytes are needed to know it. */
function messageLength(b, off) {
  const left = b.length - off;
  if (left < 1) return 0;
  const dv = new DataView(b.buffer, b.byteOffset);
  switch (b[off]) {
    case 0: return 20; // SetPixelFormat
    case 2: return left < 4 ? 0 : 4 + 4 * dv.getUint16(off + 2); // SetEncodings
    case 3: return 10; // FramebufferUpdateRequest
    case 4: return 8; // KeyEvent
    case 5: return 6; // PointerEvent
    case 6: return left < 8 ? 0 : 8 + Math.abs(dv.getInt32(off + 4)); // ClientCutText (extended: negative)
    case 150: return 10; // EnableContinuousUpdates
    case 248: return left < 9 ? 0 : 9 + b[off + 8]; // ClientFence
    case 251: return left < 8 ? 0 : 8 + 16 * b[off + 6]; // SetDesktopSize
    case 255: return left < 2 ? 0 : b[off + 1] === 0 ? 12 : 0; // QEMU extended key event
    default: throw new Error(`replay: unknown client message ${b[off]}`);
  }
}

/** Schedules `fn` as a new task with no timer clamping (setTimeout nests to 4 ms). */
function makeTaskQueue() {
  const ch = new MessageChannel();
  let fn = null;
  ch.port1.onmessage = () => fn();
  return (f) => {
    fn = f;
    ch.port2.postMessage(0);
  };
}

export class ReplaySocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  /** `url` is ws://.../replay?rec=NAME; the recording is fetched from /recordings/NAME.bin. */
  constructor(url) {
    this.url = url;
    this.binaryType = 'arraybuffer';
    this.protocol = 'binary';
    this.readyState = 1; // OPEN at once: noVNC then starts its handshake on the first frame
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this.client = new ClientStream();
    this.channel = new BroadcastChannel(CHANNEL);
    const rec = new URL(url).searchParams.get('rec');
    this.channel.onmessage = (e) => {
      if (e.data.type === 'start') this.start();
    };
    fetch(`/recordings/${rec}.bin`)
      .then((r) => r.arrayBuffer())
      .then((buf) => {
        this.frames = splitFrames(buf);
        this.bytes = buf.byteLength - 4 * this.frames.length;
        this.channel.postMessage({ type: 'ready', frames: this.frames.length, bytes: this.bytes });
      });
  }

  send(data) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer ?? data);
    this.client.push(bytes);
  }

  close() {
    this.readyState = 3;
  }

  addEventListener() {}
  removeEventListener() {}

  start() {
    const next = makeTaskQueue();
    const frames = this.frames;
    let i = 0;
    const t0 = performance.now();
    let lastFrameAt = t0;
    const deliver = () => {
      if (i < frames.length) {
        this.onmessage?.({ data: frames[i++] });
        lastFrameAt = performance.now();
        next(deliver);
        return;
      }
      // Wait until the client has been quiet long enough to have finished every update.
      const quiet = () => {
        const last = Math.max(this.client.lastRequestAt, lastFrameAt);
        if (performance.now() - last < QUIET_MS) {
          setTimeout(quiet, 100);
          return;
        }
        this.channel.postMessage({
          type: 'done',
          ms: last - t0,
          lastFrameMs: lastFrameAt - t0,
          updateRequests: this.client.updateRequests,
          frames: frames.length,
          bytes: this.bytes,
        });
      };
      quiet();
    };
    next(deliver);
  }
}
