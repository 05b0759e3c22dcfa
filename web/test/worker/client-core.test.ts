// ClientCore tests: the typed message protocol around a session, over a fake WebSocket and a recording display.

import { createHash, generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { WebSocketConstructor } from '../../src/rfb/transport';
import { ClientCore } from '../../src/worker/client-core';
import type { FromCore } from '../../src/worker/protocol';
import { FakeWebSocket } from '../fakes/fake-websocket';
import {
  RecordingDisplay,
  ascii,
  rect,
  serverInit,
  stubDecoders,
  u16,
  u32,
} from '../fakes/session-fakes';

let posted: FromCore[];
let display: RecordingDisplay;
let core: ClientCore;

beforeEach(() => {
  posted = [];
  display = new RecordingDisplay();
  core = new ClientCore({
    post: (m) => posted.push(m),
    createDisplay: () => display,
    createDecoders: stubDecoders,
    WebSocket: FakeWebSocket as unknown as WebSocketConstructor,
  });
});

function connect(credentials?: { password?: string }): FakeWebSocket {
  core.handle({
    type: 'connect',
    canvas: {} as OffscreenCanvas,
    url: 'ws://127.0.0.1:1/websockify',
    protocols: ['binary'],
    shared: true,
    credentials,
    qualityLevel: 6,
    compressionLevel: 2,
  });
  const ws = FakeWebSocket.instances.at(-1)!;
  ws.serverOpen();
  return ws;
}

describe('ClientCore', () => {
  it('connects, forwards input as RFB messages and reports events', () => {
    const ws = connect();
    ws.serverSend([...ascii('RFB 003.008\n'), 1, 1, ...u32(0), ...serverInit(4, 2, 'core')]);
    expect(posted).toEqual([
      { type: 'resize', width: 4, height: 2 },
      { type: 'desktopname', name: 'core' },
      { type: 'connect' },
    ]);
    ws.take();
    core.handle({ type: 'pointer', x: 3, y: 1, mask: 1 });
    core.handle({ type: 'key', keysym: 0x61, code: 0x1e, down: true });
    core.handle({ type: 'clipboard', text: 'hi' });
    expect(ws.take()).toEqual([
      5,
      1,
      ...u16(3),
      ...u16(1),
      4,
      1,
      0,
      0,
      ...u32(0x61),
      6,
      0,
      0,
      0,
      ...u32(2),
      ...ascii('hi'),
    ]);
    ws.serverSend([2, 0, 0, ...u16(1), ...rect(0, 0, 1, 1, -239), 1, 2, 3, 0, 0x80]);
    expect(posted.slice(3)).toEqual([
      { type: 'bell' },
      { type: 'cursor', hotX: 0, hotY: 0, width: 1, height: 1, rgba: Uint8Array.of(1, 2, 3, 255) },
    ]);
  });

  it('asks for credentials and resumes with them', () => {
    const ws = connect();
    ws.serverSend([...ascii('RFB 003.008\n'), 1, 2, ...Array(16).fill(0)]);
    expect(posted).toEqual([{ type: 'credentialsrequired', types: ['password'] }]);
    core.handle({ type: 'credentials', credentials: { password: 'pw' } });
    expect(ws.take().length).toBe(12 + 1 + 16);
  });

  describe('RA2ne server verification', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const e = Buffer.alloc(128);
    Buffer.from(jwk.e!, 'base64url').copy(e, 128 - 3);
    const key = [...u32(1024), ...Buffer.from(jwk.n!, 'base64url'), ...e];
    const fingerprint = createHash('sha256')
      .update(Uint8Array.from(key))
      .digest('hex')
      .match(/../g)!
      .join(':');

    /** Connects to a server offering RA2ne; resolves once the core posted the key to verify. */
    async function keyShown(): Promise<FakeWebSocket> {
      const ws = connect({ password: 'pw' });
      ws.serverSend([...ascii('RFB 003.008\n'), 1, 6, ...key]);
      for (let i = 0; i < 1000 && posted.length === 0; i++)
        await new Promise((r) => setTimeout(r, 1));
      // The message crosses the worker boundary: it must survive structured cloning.
      expect(structuredClone(posted)).toEqual([
        {
          type: 'serververification',
          identity: { type: 'RSA', bits: 1024, fingerprint, publicKey: Uint8Array.from(key) },
        },
      ]);
      expect(ws.take()).toEqual([...ascii('RFB 003.008\n'), 6]);
      return ws;
    }

    it('approveServer goes on with the handshake', async () => {
      const ws = await keyShown();
      core.handle({ type: 'approveServer' });
      for (let i = 0; i < 2000 && ws.sent.length === 0; i++)
        await new Promise((r) => setTimeout(r, 1));
      expect(ws.take().slice(0, 4)).toEqual(u32(2048)); // the client's key follows
    });

    it('rejectServer ends the connection with the reason', async () => {
      const ws = await keyShown();
      core.handle({ type: 'rejectServer' });
      expect(posted.slice(1)).toEqual([
        {
          type: 'disconnect',
          clean: false,
          reason: "the server's identity key was rejected (not trusted)",
        },
      ]);
      expect(ws.closeCode).toBe(1000);
      expect(ws.take()).toEqual([]);
    });
  });

  it('reports the security failure and the disconnect, and closes the socket', () => {
    const ws = connect({ password: 'pw' });
    ws.serverSend([
      ...ascii('RFB 003.008\n'),
      1,
      2,
      ...Array(16).fill(0),
      ...u32(1),
      ...u32(3),
      ...ascii('bad'),
    ]);
    expect(posted).toEqual([
      { type: 'securityfailure', status: 1, reason: 'bad' },
      { type: 'disconnect', clean: false, reason: 'authentication failed: bad' },
    ]);
    expect(ws.closeCode).toBe(1000);
  });

  it('a socket closed before the handshake ends is an unclean disconnect', () => {
    const ws = connect();
    ws.serverClose(1006);
    expect(posted).toEqual([
      {
        type: 'disconnect',
        clean: false,
        reason: 'connection closed during the handshake (code 1006)',
      },
    ]);
  });

  it('announces XVP power actions and forwards them', () => {
    const ws = connect();
    ws.serverSend([...ascii('RFB 003.008\n'), 1, 1, ...u32(0), ...serverInit(4, 2, 'core')]);
    ws.take();
    posted.length = 0;
    ws.serverSend([250, 0, 1, 1]);
    expect(posted).toEqual([
      { type: 'capabilities', capabilities: { power: true, resize: false } },
    ]);
    core.handle({ type: 'xvp', code: 3 });
    expect(ws.take()).toEqual([250, 0, 1, 3]);
  });

  it('passes the encoding options on and reports the rectangles per encoding', () => {
    core.handle({ type: 'rectangleCounts', id: 1 });
    core.handle({
      type: 'connect',
      canvas: {} as OffscreenCanvas,
      url: 'ws://127.0.0.1:1/websockify',
      protocols: ['binary'],
      shared: true,
      qualityLevel: 6,
      compressionLevel: 2,
      encodings: [0],
      jpeg: false,
    });
    const ws = FakeWebSocket.instances.at(-1)!;
    ws.serverOpen();
    ws.serverSend([...ascii('RFB 003.008\n'), 1, 1, ...u32(0), ...serverInit(4, 2, 'core')]);
    // ProtocolVersion, security type, ClientInit and SetPixelFormat come first.
    expect(ws.take().slice(34, 42)).toEqual([2, 0, ...u16(14), ...u32(0)]);
    ws.serverSend([0, 0, ...u16(1), ...rect(0, 0, 1, 1, 0), 1, 2, 3, 0]);
    core.handle({ type: 'rectangleCounts', id: 2 });
    expect(posted.filter((m) => m.type === 'rectangleCounts')).toEqual([
      { type: 'rectangleCounts', id: 1, counts: new Map() },
      { type: 'rectangleCounts', id: 2, counts: new Map([[0, 1]]) },
    ]);
  });

  it('captures the framebuffer', () => {
    connect();
    core.handle({ type: 'capture', id: 7 });
    expect(posted).toEqual([{ type: 'capture', id: 7, width: 0, height: 0, rgba: null }]);
  });
});
