// Session tests: server messages after ServerInit, fed in pieces down to one byte, with the exact replies.

import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  StubRawDecoder,
  ascii,
  chunkSizes,
  feed,
  makeSession,
  rect,
  s32,
  serverInit,
  u16,
  u32,
} from '../fakes/session-fakes';
import type { Harness } from '../fakes/session-fakes';
import type { SessionOptions } from '../../src/rfb/session';

const connectBytes = [...ascii('RFB 003.008\n'), 1, 1, ...u32(0), ...serverInit(4, 2, 'desk')];

/** A connected session with the handshake's output and events cleared. */
function connected(): Harness {
  const h = makeSession();
  feed(h.session, connectBytes, Infinity);
  h.transport.take();
  h.events.log = [];
  h.display.ops = [];
  return h;
}

const incrementalRequest = (w: number, h: number) => [3, 1, 0, 0, 0, 0, ...u16(w), ...u16(h)];

/** Feeds `server` at every chunk size to a fresh connected session and checks replies, events and drawing. */
function expectMessages(
  server: number[],
  sent: number[],
  events: string[],
  ops: string[] = [],
): void {
  for (const chunk of chunkSizes) {
    const h = connected();
    feed(h.session, server, chunk);
    expect(h.transport.take(), `sent, chunk ${chunk}`).toEqual(sent);
    expect(h.events.log, `events, chunk ${chunk}`).toEqual(events);
    expect(h.display.ops, `ops, chunk ${chunk}`).toEqual(ops);
  }
}

const fbu = (rects: number) => [0, 0, ...u16(rects)];
const pixels = (n: number) => Array.from({ length: n * 4 }, (_, i) => i & 0xff);

describe('FramebufferUpdate', () => {
  it('draws a Raw rectangle and asks for the next update', () => {
    expectMessages(
      [...fbu(1), ...rect(1, 0, 2, 1, 0), ...pixels(2)],
      incrementalRequest(4, 2),
      [],
      ['blit 1,0 2x1 0,1,2,3,4,5,6,7'],
    );
  });

  it('stops at LastRect', () => {
    expectMessages(
      [...fbu(0xffff), ...rect(0, 0, 1, 1, 0), ...pixels(1), ...rect(0, 0, 0, 0, -224), 2],
      incrementalRequest(4, 2),
      ['bell'],
      ['blit 0,0 1x1 0,1,2,3'],
    );
  });

  it('DesktopSize resizes before later rectangles', () => {
    expectMessages(
      [...fbu(2), ...rect(0, 0, 8, 3, -223), ...rect(7, 2, 1, 1, 0), ...pixels(1)],
      incrementalRequest(8, 3),
      ['resize 8x3'],
      ['resize 8x3', 'blit 7,2 1x1 0,1,2,3'],
    );
  });

  it('ExtendedDesktopSize enables SetDesktopSize, which keeps the screen id and flags', () => {
    for (const chunk of chunkSizes) {
      const h = connected();
      const screen = [...u32(0x1234), ...u16(0), ...u16(0), ...u16(6), ...u16(5), ...u32(0x80)];
      feed(h.session, [...fbu(1), ...rect(0, 0, 6, 5, -308), 1, 0, 0, 0, ...screen], chunk);
      expect(h.events.log).toEqual(['capabilities power=false resize=true', 'resize 6x5']);
      expect(h.transport.take()).toEqual(incrementalRequest(6, 5));
      expect(h.session.requestDesktopSize(100, 50)).toBe(true);
      expect(h.transport.take()).toEqual([
        251,
        0,
        ...u16(100),
        ...u16(50),
        1,
        0,
        ...u32(0x1234),
        ...u16(0),
        ...u16(0),
        ...u16(100),
        ...u16(50),
        ...u32(0x80),
      ]);
      // A refusal (reason 1, status 1) changes nothing.
      feed(h.session, [...fbu(1), ...rect(1, 1, 0, 0, -308), 0, 0, 0, 0], chunk);
      expect(h.events.log).toHaveLength(2);
    }
  });

  it('SetDesktopSize is not sent before the server showed support', () => {
    const h = connected();
    expect(h.session.requestDesktopSize(100, 50)).toBe(false);
    expect(h.transport.take()).toEqual([]);
  });

  it('Cursor becomes RGBA with the mask as alpha', () => {
    const cursorPixels = [10, 20, 30, 0, 40, 50, 60, 0];
    expectMessages(
      [...fbu(1), ...rect(1, 0, 2, 1, -239), ...cursorPixels, 0b10000000],
      incrementalRequest(4, 2),
      ['cursor 1,0 2x1 10,20,30,255,40,50,60,0'],
    );
  });

  it('DesktopName, QEMU LED state', () => {
    expectMessages(
      [
        ...fbu(2),
        ...rect(0, 0, 0, 0, -307),
        ...u32(5),
        ...ascii('hello'),
        ...rect(0, 0, 0, 0, -261),
        6,
      ],
      incrementalRequest(4, 2),
      ['desktopname hello', 'ledstate 6'],
    );
  });

  it('QEMU extended key events once the server asks for them', () => {
    const h = connected();
    h.session.sendKey(0x61, 0x1e, true);
    expect(h.transport.take()).toEqual([4, 1, 0, 0, ...u32(0x61)]);
    feed(h.session, [...fbu(1), ...rect(0, 0, 0, 0, -258)], 1);
    h.transport.take();
    h.session.sendKey(0x61, 0x1e, true);
    h.session.sendKey(0xff53, 0xcd, false);
    h.session.sendKey(0x41, 0, true); // no scancode: a plain KeyEvent
    expect(h.transport.take()).toEqual([
      255,
      0,
      0,
      1,
      ...u32(0x61),
      ...u32(0x1e),
      255,
      0,
      0,
      0,
      ...u32(0xff53),
      ...u32(0xcd),
      4,
      1,
      0,
      0,
      ...u32(0x41),
    ]);
  });

  it('pointer events are clamped to the framebuffer', () => {
    const h = connected();
    h.session.sendPointer(10, -3, 0b101);
    expect(h.transport.take()).toEqual([5, 5, ...u16(3), ...u16(0)]);
  });

  it('rectangles outside the framebuffer and unrequested encodings end the session', () => {
    expectMessages(
      [...fbu(1), ...rect(3, 0, 2, 1, 0)],
      [],
      ['disconnect clean=false rectangle 2x1+3+0 lies outside the 4x2 framebuffer'],
    );
    expectMessages(
      [...fbu(1), ...rect(0, 0, 1, 1, 16)],
      [],
      ['disconnect clean=false server used encoding 16, which the client did not ask for'],
    );
    expectMessages(
      [...fbu(1), ...rect(0, 0, 300, 2, -239)],
      [],
      ['disconnect clean=false cursor too large (300x2)'],
    );
    expectMessages(
      [...fbu(1), ...rect(0, 0, 20000, 2, -223)],
      [],
      ['disconnect clean=false framebuffer size 20000x2 exceeds 16384'],
    );
  });
});

describe('ExtendedMouseButtons', () => {
  const back = 128;
  const forward = 256;
  const pointer = (x: number, y: number, mask: number) => [5, mask, ...u16(x), ...u16(y)];
  const extended = (x: number, y: number, mask: number, ext: number) => [
    5,
    0x80 | mask,
    ...u16(x),
    ...u16(y),
    ext,
  ];
  /** A connected session after its first FramebufferUpdate, with or without the confirmation. */
  function afterFirstUpdate(confirm: boolean, chunk = Infinity): Harness {
    const h = connected();
    const update = confirm
      ? [...fbu(2), ...rect(0, 0, 0, 0, -316), ...rect(0, 0, 1, 1, 0), ...pixels(1)]
      : [...fbu(1), ...rect(0, 0, 1, 1, 0), ...pixels(1)];
    feed(h.session, update, chunk);
    expect(h.transport.take()).toEqual(incrementalRequest(4, 2));
    expect(h.events.log).toEqual([]);
    return h;
  }

  it('is announced in SetEncodings', () => {
    const h = makeSession();
    feed(h.session, connectBytes, Infinity);
    const sent = Uint8Array.from(h.transport.take());
    const at = 12 + 1 + 1 + 20; // version, security type, ClientInit, SetPixelFormat
    const view = new DataView(sent.buffer);
    const list = Array.from({ length: view.getUint16(at + 2) }, (_, i) =>
      view.getInt32(at + 4 + 4 * i),
    );
    expect(list).toContain(-316);
  });

  it('without confirmation: back is bit 7, forward is not sent', () => {
    const h = afterFirstUpdate(false);
    h.session.sendPointer(1, 1, back);
    h.session.sendPointer(1, 1, 0);
    h.session.sendPointer(2, 1, 1 | back);
    expect(h.transport.take()).toEqual([
      ...pointer(1, 1, 0x80),
      ...pointer(1, 1, 0),
      ...pointer(2, 1, 0x81),
    ]);
    // Forward alone changes nothing the server can see: nothing is sent, press or release.
    h.session.sendPointer(2, 1, 1 | back | forward);
    h.session.sendPointer(2, 1, 1 | back);
    expect(h.transport.take()).toEqual([]);
    // Held, it rides along with the other buttons and moves, left out of the mask.
    h.session.sendPointer(2, 1, forward);
    h.session.sendPointer(3, 0, forward);
    h.session.sendPointer(3, 0, 0);
    expect(h.transport.take()).toEqual([...pointer(2, 1, 0), ...pointer(3, 0, 0)]);
  });

  it('before the server could answer, bit 7 stays clear (it would be the marker)', () => {
    const h = connected();
    h.session.sendPointer(1, 1, 1 | back);
    h.session.sendPointer(1, 1, back);
    h.session.sendPointer(1, 1, forward);
    expect(h.transport.take()).toEqual([...pointer(1, 1, 1), ...pointer(1, 1, 0)]);
  });

  for (const chunk of chunkSizes) {
    it(`after confirmation (chunk ${chunk}): back and forward in the extended PointerEvent`, () => {
      const h = afterFirstUpdate(true, chunk);
      h.session.sendPointer(3, 1, back);
      h.session.sendPointer(3, 1, 0);
      h.session.sendPointer(3, 1, forward);
      h.session.sendPointer(3, 1, 0);
      expect(h.transport.take()).toEqual([
        ...extended(3, 1, 0, 1),
        ...pointer(3, 1, 0),
        ...extended(3, 1, 0, 2),
        ...pointer(3, 1, 0),
      ]);
    });
  }

  it('after confirmation: back and forward with other buttons and the wheel', () => {
    const h = afterFirstUpdate(true);
    // Left and right held, then back and forward pressed together, then a wheel click down.
    h.session.sendPointer(1, 0, 1 | 4);
    h.session.sendPointer(1, 0, 1 | 4 | back | forward);
    h.session.sendPointer(2, 1, 1 | 4 | back | forward | 16);
    h.session.sendPointer(2, 1, 1 | 4 | back | forward);
    h.session.sendPointer(2, 1, 1 | forward);
    h.session.sendPointer(2, 1, 2 | 64);
    h.session.sendPointer(2, 1, 0);
    expect(h.transport.take()).toEqual([
      ...pointer(1, 0, 5),
      ...extended(1, 0, 5, 3),
      ...extended(2, 1, 5 | 16, 3),
      ...extended(2, 1, 5, 3),
      ...extended(2, 1, 1, 2),
      ...pointer(2, 1, 2 | 64), // middle + wheel right: no extended button, the normal form
      ...pointer(2, 1, 0),
    ]);
  });

  it('a confirmation after the first update still turns the extended form on', () => {
    const h = afterFirstUpdate(false);
    feed(h.session, [...fbu(1), ...rect(0, 0, 0, 0, -316)], 1);
    h.transport.take();
    h.session.sendPointer(0, 0, forward);
    expect(h.transport.take()).toEqual(extended(0, 0, 0, 2));
  });
});

describe('other server messages', () => {
  it('Bell, SetColourMapEntries (skipped), ServerCutText (Latin-1)', () => {
    expectMessages(
      [
        2,
        1,
        0,
        ...u16(0),
        ...u16(2),
        ...Array(12).fill(9),
        3,
        0,
        0,
        0,
        ...u32(3),
        0x61,
        0xe9,
        0x0a,
      ],
      [],
      ['bell', 'clipboard "aé\\n"'],
    );
  });

  it('XVP: XVP_INIT turns on power actions; XVP_FAIL changes nothing', () => {
    expectMessages([250, 0, 1, 0], [], []);
    expectMessages([250, 0, 1, 1, 250, 0, 1, 1], [], ['capabilities power=true resize=false']);
  });

  it('XVP actions are sent only once the server offered them', () => {
    const h = connected();
    expect(h.session.xvpOperation(2)).toBe(false);
    expect(h.transport.take()).toEqual([]);
    feed(h.session, [250, 0, 1, 1], 1);
    expect(h.session.capabilities.power).toBe(true);
    expect([2, 3, 4].map((code) => h.session.xvpOperation(code))).toEqual([true, true, true]);
    expect(h.transport.take()).toEqual([250, 0, 1, 2, 250, 0, 1, 3, 250, 0, 1, 4]);
  });

  it('unknown message types and oversized cut text end the session', () => {
    expectMessages([77], [], ['disconnect clean=false unknown server message type 77']);
    expectMessages(
      [3, 0, 0, 0, ...u32(0x7ffffff0)],
      [],
      ['disconnect clean=false clipboard message too long (2147483632 bytes)'],
    );
    expectMessages(
      [248, 0, 0, 0, ...u32(0), 65],
      [],
      ['disconnect clean=false fence payload too long (65 bytes)'],
    );
  });

  it('EndOfContinuousUpdates turns on continuous updates; later updates need no requests', () => {
    for (const chunk of chunkSizes) {
      const h = connected();
      feed(h.session, [150], chunk);
      expect(h.transport.take()).toEqual([150, 1, 0, 0, 0, 0, ...u16(4), ...u16(2)]);
      feed(h.session, [...fbu(1), ...rect(0, 0, 1, 1, 0), ...pixels(1)], chunk);
      expect(h.transport.take()).toEqual([]);
      // A resize moves the continuous area.
      feed(h.session, [...fbu(1), ...rect(0, 0, 5, 5, -223)], chunk);
      expect(h.transport.take()).toEqual([150, 1, 0, 0, 0, 0, ...u16(5), ...u16(5)]);
      // The server stopping them falls back to requests.
      feed(h.session, [150], chunk);
      expect(h.transport.take()).toEqual(incrementalRequest(5, 5));
    }
  });

  it('answers fence requests with the known flags and the same payload', () => {
    const flags = (1 << 31) | 0b111 | (1 << 10);
    expectMessages(
      [248, 0, 0, 0, ...s32(flags), 3, 7, 8, 9],
      [248, 0, 0, 0, ...u32(0b11), 3, 7, 8, 9],
      [],
    );
    expectMessages([248, 0, 0, 0, ...u32(0b1), 0], [], []); // a response: nothing to do
  });
});

const extended = (flags: number, payload: number[] = []) => [
  3,
  0,
  0,
  0,
  ...s32(-(4 + payload.length)),
  ...u32(flags),
  ...payload,
];
const clientExtended = (flags: number, payload: number[] = []) => [
  6,
  0,
  0,
  0,
  ...s32(-(4 + payload.length)),
  ...u32(flags),
  ...payload,
];

describe('extended clipboard', () => {
  const serverCaps = extended((1 << 24) | (1 << 25) | (1 << 26) | (1 << 27) | (1 << 28) | 0b11, [
    ...u32(1000),
    ...u32(0),
  ]);
  const clientCaps = clientExtended(
    (1 << 24) | (1 << 25) | (1 << 26) | (1 << 27) | (1 << 28) | 1,
    u32(10 * 1024 * 1024),
  );

  it('answers caps with the client caps', () => {
    expectMessages(serverCaps, clientCaps, []);
  });

  it('notify leads to a request; provide is inflated, NUL and CRs dropped', () => {
    const data = Buffer.from('héllo\r\nworld\0');
    const zlib = Array.from(deflateSync(Buffer.concat([Buffer.from(u32(data.length)), data])));
    expectMessages(
      [...serverCaps, ...extended((1 << 27) | 1), ...extended((1 << 28) | 1, zlib)],
      [...clientCaps, ...clientExtended((1 << 25) | 1)],
      ['clipboard "héllo\\nworld"'],
    );
  });

  it('paste sends notify; a request gets the UTF-8 text with CRLF and NUL', () => {
    const h = connected();
    feed(h.session, serverCaps, 1);
    h.transport.take();
    h.session.clipboardPasteFrom('ça\nva');
    // Notify, and the Latin-1 text as classic ClientCutText too (for libvncserver 0.9.14).
    expect(h.transport.take()).toEqual([
      ...clientExtended((1 << 27) | 1),
      ...[6, 0, 0, 0, ...u32(5), 0xe7, 0x61, 0x0a, 0x76, 0x61],
    ]);
    feed(h.session, extended((1 << 25) | 1), 1);
    const sent = Buffer.from(h.transport.take());
    expect(sent.readInt32BE(4)).toBe(-(sent.length - 8));
    expect(sent.readUInt32BE(8)).toBe(((1 << 28) | 1) >>> 0);
    const inflated = inflateSync(sent.subarray(12));
    expect(inflated.readUInt32BE(0)).toBe(inflated.length - 4);
    expect(inflated.subarray(4).toString()).toBe('ça\r\nva\0');
    // peek: notify that text is available.
    feed(h.session, extended(1 << 26), 1);
    expect(h.transport.take()).toEqual(clientExtended((1 << 27) | 1));
  });

  it('with the extension, text beyond Latin-1 is only announced', () => {
    const h = connected();
    feed(h.session, serverCaps, 1);
    h.transport.take();
    h.session.clipboardPasteFrom('€');
    expect(h.transport.take()).toEqual(clientExtended((1 << 27) | 1));
  });

  it('without the extension, paste is Latin-1 ClientCutText', () => {
    const h = connected();
    h.session.clipboardPasteFrom('é€');
    expect(h.transport.take()).toEqual([6, 0, 0, 0, ...u32(2), 0xe9, 0x3f]);
  });

  it('a provide that inflates beyond the limit or is corrupt ends the session', () => {
    const bomb = Array.from(deflateSync(Buffer.alloc(11 * 1024 * 1024)));
    expectMessages(
      extended((1 << 28) | 1, bomb),
      [],
      ['disconnect clean=false clipboard data inflates beyond 10485824 bytes'],
    );
    expectMessages(
      extended((1 << 28) | 1, [1, 2, 3, 4]),
      [],
      [
        expect.stringMatching(
          /^disconnect clean=false corrupt clipboard data/,
        ) as unknown as string,
      ],
    );
  });
});

describe('session lifecycle', () => {
  it('a server close after connecting is clean; input afterwards is ignored', () => {
    const h = connected();
    h.session.transportClosed(1000);
    expect(h.events.log).toEqual(['disconnect clean=true']);
    h.session.sendPointer(1, 1, 0);
    feed(h.session, [2], 1);
    expect(h.transport.take()).toEqual([]);
    expect(h.events.log).toHaveLength(1);
  });

  it('disconnect() closes the transport once', () => {
    const h = connected();
    h.session.disconnect();
    h.session.disconnect();
    expect(h.transport.closed).toBe(true);
    expect(h.events.log).toEqual(['disconnect clean=true']);
  });

  it('setQuality sends new SetEncodings with the levels', () => {
    const h = connected();
    h.session.setQuality(9, 0);
    expect(h.transport.take()).toEqual([
      2,
      0,
      ...u16(15),
      ...[
        0,
        -23,
        -256,
        -223,
        -308,
        -224,
        -239,
        -307,
        -258,
        -261,
        -309,
        -312,
        -313,
        0xc0a1e5ce | 0,
        -316,
      ].flatMap(s32),
    ]);
  });
});

describe('display back-pressure', () => {
  it('stops reading after an update while the display is busy, and resumes when idle', async () => {
    const h = connected();
    let release: () => void = () => {};
    Object.assign(h.display, {
      busy: true,
      whenIdle: () => new Promise<void>((r) => (release = r)),
    });
    feed(h.session, [...fbu(1), ...rect(0, 0, 1, 1, 0), ...pixels(1), 2], 1);
    expect(h.events.log).toEqual([]);
    Object.assign(h.display, { busy: false });
    release();
    await Promise.resolve();
    expect(h.events.log).toEqual(['bell']);
  });
});

describe('malformed input', () => {
  it('random bytes after the handshake never escape receive() and never pile up', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let run = 0; run < 300; run++) {
      const h = connected();
      for (let i = 0; i < 64 && h.session.state !== 'disconnected'; i++) {
        const chunk = Array.from({ length: 1 + (random() % 64) }, random);
        expect(() => feed(h.session, chunk, 1 + (random() % 8))).not.toThrow();
      }
      const last = h.events.log.at(-1) ?? '';
      // Either a clear error ended it, or every byte so far was a valid (possibly partial) message.
      if (h.session.state === 'disconnected') expect(last).toMatch(/^disconnect clean=false \S/);
    }
  });

  it('random bytes during the handshake end it with a clear error', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let run = 0; run < 300; run++) {
      const h = makeSession({ credentials: { username: 'u', password: 'p' } });
      const prefix = [
        ...ascii('RFB 003.008\n'),
        1 + (random() % 3),
        ...[1, 2, 16, 19].slice(random() % 4),
      ];
      feed(h.session, [...prefix, ...Array.from({ length: 200 }, random)], 1 + (random() % 5));
      const last = h.events.log.at(-1) ?? '';
      if (h.session.state === 'disconnected') expect(last).toMatch(/^disconnect clean=false \S/);
    }
  });
});

describe('announced encodings', () => {
  /** A session over stub decoders for `encodings`, connected; returns it and its SetEncodings list. */
  function connectWith(options: SessionOptions, encodings: number[]) {
    const h = makeSession(options, new Map(encodings.map((e) => [e, new StubRawDecoder()])));
    feed(h.session, connectBytes, Infinity);
    const sent = h.transport.take();
    // ProtocolVersion (12), security type (1), ClientInit (1), SetPixelFormat (20), SetEncodings.
    const at = 12 + 1 + 1 + 20;
    expect(sent[at]).toBe(2);
    const view = new DataView(Uint8Array.from(sent).buffer);
    const count = view.getUint16(at + 2);
    const list = Array.from({ length: count }, (_, i) => view.getInt32(at + 4 + 4 * i));
    h.events.log = [];
    h.display.ops = [];
    return { h, list };
  }

  const decodable = [0, 1, 2, 5, 6, 7, 16, -260];

  it('by default: every decodable encoding in the preferred order, Raw last, then the pseudo-encodings', () => {
    const { list } = connectWith({}, decodable);
    expect(list.slice(0, 9)).toEqual([1, 7, -260, 16, 5, 6, 2, 0, -32 + 6]);
  });

  it('`encodings` restricts and orders the rectangle encodings; Raw is implied, unknown ones dropped', () => {
    const { list } = connectWith({ encodings: [16, 99, 5] }, decodable);
    expect(list.slice(0, 5)).toEqual([16, 5, 0, -26, -254]);
    expect(connectWith({ encodings: [0, 7] }, decodable).list.slice(0, 3)).toEqual([0, 7, -26]);
    // The pseudo-encodings stay.
    expect(list).toEqual(expect.arrayContaining([-223, -224, -239, -308, -313]));
  });

  it('`jpeg: false` leaves out QualityLevel, also when the levels change', () => {
    const { h, list } = connectWith({ encodings: [7], jpeg: false }, decodable);
    expect(list.slice(0, 3)).toEqual([7, 0, -254]);
    expect(list.some((e) => e >= -32 && e <= -23)).toBe(false);
    h.session.setQuality(9, 1);
    const again = h.transport.take();
    expect(again.slice(0, 4)).toEqual([2, 0, ...u16(list.length)]);
    expect(again.slice(4, 16)).toEqual([7, 0, -255].flatMap(s32));
  });

  it('counts the rectangles of each encoding once, whatever the chunking; LastRect is not counted', () => {
    for (const chunk of chunkSizes) {
      const { h } = connectWith({}, [0, 7]);
      expect(h.session.rectangleCounts.size).toBe(0);
      feed(
        h.session,
        [
          ...[0, 0, ...u16(3), ...rect(0, 0, 2, 1, 0), ...pixels(2)],
          ...[...rect(1, 1, 1, 1, 0), ...pixels(1), ...rect(0, 0, 4, 2, -223)],
          ...[0, 0, ...u16(0xffff), ...rect(0, 0, 1, 1, 0), ...pixels(1)],
          ...rect(0, 0, 0, 0, -224),
        ],
        chunk,
      );
      expect(new Map(h.session.rectangleCounts), `chunk ${chunk}`).toEqual(
        new Map([
          [0, 3],
          [-223, 1],
        ]),
      );
    }
  });
});
