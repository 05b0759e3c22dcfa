// A minimal WebSocket client (RFC 6455) over node:net for the recorder: binary frames out
// (masked), binary frames in; enough to drive a VNC server through the gateway.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * Opens ws://host:port/path with subprotocol "binary". Resolves with { send(bytes), close(),
 * closed } once the server answered 101; `onData(bytes)` is called with each binary message's
 * payload. `closed` resolves when the TCP connection ends.
 */
export function openWebSocket({ host, port, path = '/websockify', onData }) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const key = randomBytes(16).toString('base64');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let fragments = [];
    const closed = new Promise((r) => socket.once('close', r));

    const sendFrame = (opcode, payload) => {
      const len = payload.length;
      const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
      const frame = Buffer.alloc(head + 4 + len);
      frame[0] = 0x80 | opcode;
      if (len < 126) frame[1] = 0x80 | len;
      else if (len < 65536) {
        frame[1] = 0x80 | 126;
        frame.writeUInt16BE(len, 2);
      } else {
        frame[1] = 0x80 | 127;
        frame.writeBigUInt64BE(BigInt(len), 2);
      }
      const mask = randomBytes(4);
      mask.copy(frame, head);
      for (let i = 0; i < len; i++) frame[head + 4 + i] = payload[i] ^ mask[i & 3];
      socket.write(frame);
    };

    // Parses as many complete frames as `buffer` holds.
    const parseFrames = () => {
      for (;;) {
        if (buffer.length < 2) return;
        const fin = buffer[0] & 0x80;
        const opcode = buffer[0] & 0x0f;
        let len = buffer[1] & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buffer.length < 4) return;
          len = buffer.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buffer.length < 10) return;
          len = Number(buffer.readBigUInt64BE(2));
          off = 10;
        }
        const masked = buffer[1] & 0x80;
        const maskOff = off;
        if (masked) off += 4;
        if (buffer.length < off + len) return;
        let payload = buffer.subarray(off, off + len);
        if (masked) {
          payload = Buffer.from(payload);
          for (let i = 0; i < len; i++) payload[i] ^= buffer[maskOff + (i & 3)];
        }
        buffer = buffer.subarray(off + len);
        if (opcode === 0x8) {
          socket.end();
          return;
        }
        if (opcode === 0x9) {
          sendFrame(0xa, payload);
          continue;
        }
        if (opcode === 0x2 || opcode === 0x0) {
          fragments.push(Buffer.from(payload));
          if (fin) {
            const message = Buffer.concat(fragments);
            fragments = [];
            onData(message);
          }
        }
      }
    };

    socket.once('error', reject);
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          'Sec-WebSocket-Protocol: binary\r\n\r\n',
      );
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101 /.test(head)) {
          reject(new Error(`WebSocket upgrade refused: ${head.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve({
          send: (bytes) => sendFrame(0x2, Buffer.from(bytes)),
          close: () => {
            sendFrame(0x8, Buffer.from([0x03, 0xe8]));
            socket.end();
          },
          closed,
        });
      }
      parseFrames();
    });
  });
}
