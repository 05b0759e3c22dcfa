// WebSocketTransport tests with a fake WebSocket: binary frames both ways, subprotocol, close reporting.

import { describe, expect, it } from 'vitest';
import { WebSocketTransport } from '../../src/rfb/transport';
import type { WebSocketConstructor } from '../../src/rfb/transport';
import { FakeWebSocket } from '../fakes/fake-websocket';

const Impl = FakeWebSocket as unknown as WebSocketConstructor;

function open() {
  const log: string[] = [];
  const t = new WebSocketTransport(
    'ws://h/websockify',
    ['binary'],
    {
      data: (b) => log.push(`data ${Array.from(b).join(',')}`),
      close: (code, reason) => log.push(`close ${code} ${reason}`),
    },
    Impl,
  );
  const ws = FakeWebSocket.instances.at(-1)!;
  return { t, ws, log };
}

describe('WebSocketTransport', () => {
  it('opens with the binary subprotocol and arraybuffer frames', () => {
    const { ws } = open();
    expect(ws.url).toBe('ws://h/websockify');
    expect(ws.protocols).toEqual(['binary']);
    expect(ws.binaryType).toBe('arraybuffer');
  });

  it('passes bytes both ways and reports the close once', () => {
    const { t, ws, log } = open();
    ws.serverOpen();
    ws.serverSend([1, 2, 3]);
    t.send(Uint8Array.of(9, 8));
    expect(ws.take()).toEqual([9, 8]);
    ws.serverClose(1006);
    t.close();
    expect(log).toEqual(['data 1,2,3', 'close 1006 ']);
  });

  it('a text frame is a protocol violation that closes the socket', () => {
    const { ws, log } = open();
    ws.serverOpen();
    ws.serverSendText('hello');
    expect(ws.closeCode).toBe(4000);
    expect(log).toEqual(['close 4000 the server sent a text WebSocket message']);
  });

  it('close() before the socket opens is reported as a normal close', () => {
    const { t, ws, log } = open();
    t.close();
    expect(ws.closeCode).toBe(1000);
    expect(log).toEqual(['close 1000 ']);
  });
});
