// Handshake tests: every security path fed whole, in pieces and one byte at a time, asserting the exact bytes sent.

import { describe, expect, it } from 'vitest';
import { negotiateVersion } from '../../src/rfb/handshake';
import {
  ascii,
  chunkSizes,
  feed,
  makeSession,
  s32,
  serverInit,
  u16,
  u32,
} from '../fakes/session-fakes';
import type { SessionOptions } from '../../src/rfb/session';

const version8 = ascii('RFB 003.008\n');
const version7 = ascii('RFB 003.007\n');
const version3 = ascii('RFB 003.003\n');

/** What the client sends after ServerInit: SetPixelFormat, SetEncodings, a full FramebufferUpdateRequest. */
function afterInit(width: number, height: number): number[] {
  const encodings = [
    0,
    -26,
    -254,
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
  ];
  return [
    // SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, max 255, shifts 0/8/16.
    0,
    0,
    0,
    0,
    32,
    24,
    0,
    1,
    0,
    255,
    0,
    255,
    0,
    255,
    0,
    8,
    16,
    0,
    0,
    0,
    // SetEncodings.
    2,
    0,
    ...u16(encodings.length),
    ...encodings.flatMap(s32),
    // FramebufferUpdateRequest, non-incremental, whole screen.
    3,
    0,
    0,
    0,
    0,
    0,
    ...u16(width),
    ...u16(height),
  ];
}

/** Runs a scripted server at every chunk size and checks the same bytes and events come out. */
function expectHandshake(
  server: number[],
  expectedSent: number[],
  expectedEvents: string[],
  options: SessionOptions = {},
): void {
  for (const chunk of chunkSizes) {
    const h = makeSession(options);
    feed(h.session, server, chunk);
    expect(h.transport.take(), `bytes sent, chunk ${chunk}`).toEqual(expectedSent);
    expect(h.events.log, `events, chunk ${chunk}`).toEqual(expectedEvents);
  }
}

const connected = (w: number, h: number, name: string) => [
  `resize ${w}x${h}`,
  `desktopname ${name}`,
  'connect',
];

// VNC authentication vectors computed independently (Python cryptography, TripleDES with K1=K2=K3).
const challenge = Array.from({ length: 16 }, (_, i) => i);
const e2epassResponse = Array.from(Buffer.from('a4201c3fb91bbadcccc7cb4a27c08bc6', 'hex'));

describe('protocol version', () => {
  it.each([
    ['RFB 003.003\n', 3],
    ['RFB 003.005\n', 3],
    ['RFB 003.006\n', 3],
    ['RFB 003.007\n', 7],
    ['RFB 003.008\n', 8],
    ['RFB 003.889\n', 8],
    ['RFB 004.000\n', 8],
    ['RFB 004.001\n', 8],
    ['RFB 005.000\n', 8],
  ])('maps %j to 3.%i', (banner, minor) => {
    expect(negotiateVersion(Uint8Array.from(ascii(banner)))).toBe(minor);
  });

  it.each(['HTTP/1.1 200', 'RFB 002.000\n', 'RFB 03.008\n\n', 'RFB 003.008\r'])(
    'rejects %j',
    (banner) => {
      const h = makeSession();
      feed(h.session, ascii(banner.padEnd(12, ' ')), 1);
      expect(h.events.log).toHaveLength(1);
      expect(h.events.log[0]).toMatch(
        /^disconnect clean=false (not an RFB server|unsupported RFB version)/,
      );
      expect(h.transport.closed).toBe(true);
    },
  );
});

describe('security None', () => {
  it('3.8: type list, SecurityResult, ClientInit, ServerInit', () => {
    expectHandshake(
      [...version8, 1, 1, ...u32(0), ...serverInit(640, 480, 'desk')],
      [...ascii('RFB 003.008\n'), 1, 1, ...afterInit(640, 480)],
      connected(640, 480, 'desk'),
    );
  });

  it('3.7: no SecurityResult after None', () => {
    expectHandshake(
      [...version7, 2, 1, 2, ...serverInit(8, 4, 'x')],
      [...ascii('RFB 003.007\n'), 1, 1, ...afterInit(8, 4)],
      connected(8, 4, 'x'),
    );
  });

  it('3.3: the server decides with a U32', () => {
    expectHandshake(
      [...version3, ...u32(1), ...serverInit(8, 4, 'x')],
      [...ascii('RFB 003.003\n'), 1, ...afterInit(8, 4)],
      connected(8, 4, 'x'),
    );
  });

  it('Apple 3.889 and RealVNC 5.0 banners are answered with 3.8', () => {
    for (const banner of ['RFB 003.889\n', 'RFB 005.000\n']) {
      expectHandshake(
        [...ascii(banner), 1, 1, ...u32(0), ...serverInit(1, 1, '')],
        [...version8, 1, 1, ...afterInit(1, 1)],
        connected(1, 1, ''),
      );
    }
  });

  it('shared flag false sends ClientInit 0', () => {
    expectHandshake(
      [...version8, 1, 1, ...u32(0), ...serverInit(2, 2, 'n')],
      [...version8, 1, 0, ...afterInit(2, 2)],
      connected(2, 2, 'n'),
      { shared: false },
    );
  });

  it('decodes a UTF-8 desktop name, and falls back to Latin-1', () => {
    expectHandshake(
      [...version8, 1, 1, ...u32(0), ...serverInit(2, 2, 'bureau é')],
      [...version8, 1, 1, ...afterInit(2, 2)],
      connected(2, 2, 'bureau é'),
    );
    const latin1Init = [...serverInit(2, 2, '').slice(0, 20), ...u32(1), 0xe9];
    expectHandshake(
      [...version8, 1, 1, ...u32(0), ...latin1Init],
      [...version8, 1, 1, ...afterInit(2, 2)],
      connected(2, 2, 'é'),
    );
  });
});

describe('VNC authentication', () => {
  it('3.8 with the password in the options', () => {
    expectHandshake(
      [...version8, 1, 2, ...challenge, ...u32(0), ...serverInit(4, 4, 'vnc')],
      [...version8, 2, ...e2epassResponse, 1, ...afterInit(4, 4)],
      connected(4, 4, 'vnc'),
      { credentials: { password: 'e2epass' } },
    );
  });

  it('3.3 VncAuth chosen by the server', () => {
    expectHandshake(
      [...version3, ...u32(2), ...challenge, ...u32(0), ...serverInit(4, 4, 'vnc')],
      [...version3, ...e2epassResponse, 1, ...afterInit(4, 4)],
      connected(4, 4, 'vnc'),
      { credentials: { password: 'e2epass' } },
    );
  });

  it('asks for the password once, then resumes when it arrives', () => {
    for (const chunk of chunkSizes) {
      const h = makeSession();
      feed(h.session, [...version8, 2, 2, 16, ...challenge], chunk);
      expect(h.events.log).toEqual(['credentialsrequired password']);
      expect(h.transport.take()).toEqual([...version8, 2]);
      h.session.sendCredentials({ password: 'e2epass' });
      expect(h.transport.take()).toEqual(e2epassResponse);
      feed(h.session, [...u32(0), ...serverInit(4, 4, 'vnc')], chunk);
      expect(h.events.log).toEqual(['credentialsrequired password', ...connected(4, 4, 'vnc')]);
    }
  });

  it('uses only the first 8 bytes of the password', () => {
    const response = Array.from(Buffer.from('62f03588680099bb306e79dadef07cf6', 'hex'));
    const ch = Array.from(Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex'));
    for (const password of ['abcdefghij', 'abcdefgh']) {
      expectHandshake(
        [...version8, 1, 2, ...ch, ...u32(0), ...serverInit(4, 4, 'vnc')],
        [...version8, 2, ...response, 1, ...afterInit(4, 4)],
        connected(4, 4, 'vnc'),
        { credentials: { password } },
      );
    }
  });

  it('3.8 wrong password: securityfailure with the server reason', () => {
    const reason = 'Authentication failed';
    expectHandshake(
      [...version8, 1, 2, ...challenge, ...u32(1), ...u32(reason.length), ...ascii(reason)],
      [...version8, 2, ...e2epassResponse],
      [`securityfailure 1 ${reason}`, `disconnect clean=false authentication failed: ${reason}`],
      { credentials: { password: 'e2epass' } },
    );
  });

  it('3.7 wrong password: no reason string', () => {
    expectHandshake(
      [...version7, 1, 2, ...challenge, ...u32(1)],
      [...version7, 2, ...e2epassResponse],
      ['securityfailure 1', 'disconnect clean=false authentication failed'],
      { credentials: { password: 'e2epass' } },
    );
  });

  it('too many attempts (status 2) is named', () => {
    expectHandshake(
      [...version8, 1, 2, ...challenge, ...u32(2), ...u32(0)],
      [...version8, 2, ...e2epassResponse],
      ['securityfailure 2', 'disconnect clean=false authentication failed, too many attempts'],
      { credentials: { password: 'e2epass' } },
    );
  });
});

describe('refusals and unsupported types', () => {
  it('3.8 empty type list carries the reason', () => {
    const reason = 'Too many security failures';
    expectHandshake(
      [...version8, 0, ...u32(reason.length), ...ascii(reason)],
      [...version8],
      [`securityfailure 1 ${reason}`, `disconnect clean=false connection refused: ${reason}`],
    );
  });

  it('3.3 type 0 carries the reason', () => {
    expectHandshake(
      [...version3, ...u32(0), ...u32(4), ...ascii('busy')],
      [...version3],
      ['securityfailure 1 busy', 'disconnect clean=false connection refused: busy'],
    );
  });

  it('no usable type names what the server offered', () => {
    expectHandshake(
      [...version8, 3, 18, 20, 113],
      [...version8],
      ['disconnect clean=false no supported security type (the server offers 18, SASL, MSLogonII)'],
    );
  });

  it('RA2ne is skipped without Web Crypto', () => {
    expectHandshake(
      [...version8, 2, 6, 1, ...u32(0), ...serverInit(1, 1, 'n')],
      [...version8, 1, 1, ...afterInit(1, 1)],
      connected(1, 1, 'n'),
    );
  });

  it('a reason longer than the limit ends the session', () => {
    expectHandshake(
      [...version8, 0, ...u32(0x7fffffff)],
      [...version8],
      ['disconnect clean=false security failure reason too long (2147483647 bytes)'],
    );
  });

  it('a huge desktop name ends the session without waiting for it', () => {
    const init = serverInit(1, 1, '').slice(0, 20);
    expectHandshake(
      [...version8, 1, 1, ...u32(0), ...init, ...u32(0xffffffff)],
      [...version8, 1, 1],
      ['disconnect clean=false desktop name too long (4294967295 bytes)'],
    );
  });

  it('closing during the handshake is an unclean disconnect', () => {
    const h = makeSession();
    feed(h.session, version8, 1);
    h.session.transportClosed(1006);
    expect(h.events.log).toEqual([
      'disconnect clean=false connection closed during the handshake (code 1006)',
    ]);
  });

  it('a server that floods while the client waits for a password is cut off', () => {
    const h = makeSession();
    feed(h.session, [...version8, 1, 2, ...challenge], Infinity);
    expect(h.events.log).toEqual(['credentialsrequired password']);
    for (let i = 0; i < 20 && h.session.state !== 'disconnected'; i++)
      h.session.receive(new Uint8Array(64 * 1024));
    expect(h.events.log[1]).toBe(
      'disconnect clean=false server sent too much data during the handshake',
    );
  });
});

const cap = (code: number, vendor: string, signature: string) => [
  ...s32(code),
  ...ascii(vendor),
  ...ascii(signature),
];

describe('Tight security', () => {
  it('NOTUNNEL, VNC sub-auth, extended ServerInit', () => {
    const tightInit = [
      ...serverInit(16, 8, 'tight'),
      ...u16(1),
      ...u16(1),
      ...u16(2),
      0,
      0,
      ...cap(150, 'TGHT', 'CUS_EOCU'),
      ...cap(150, 'TGHT', 'CUC_ENCU'),
      ...cap(5, 'STDV', 'HEXTILE_'),
      ...cap(7, 'TGHT', 'TIGHT___'),
    ];
    expectHandshake(
      [
        ...version8,
        1,
        16,
        ...u32(1),
        ...cap(0, 'TGHT', 'NOTUNNEL'),
        ...u32(2),
        ...cap(129, 'TGHT', 'ULGNAUTH'),
        ...cap(2, 'STDV', 'VNCAUTH_'),
        ...challenge,
        ...u32(0),
        ...tightInit,
      ],
      [...version8, 16, ...u32(0), ...u32(2), ...e2epassResponse, 1, ...afterInit(16, 8)],
      connected(16, 8, 'tight'),
      { credentials: { password: 'e2epass' } },
    );
  });

  it('no tunnels and no auth types means None', () => {
    expectHandshake(
      [
        ...version8,
        1,
        16,
        ...u32(0),
        ...u32(0),
        ...u32(0),
        ...serverInit(2, 2, 't'),
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
      ],
      [...version8, 16, 1, ...afterInit(2, 2)],
      connected(2, 2, 't'),
    );
  });

  it('NOAUTH sub-auth', () => {
    expectHandshake(
      [
        ...version8,
        1,
        16,
        ...u32(0),
        ...u32(1),
        ...cap(1, 'STDV', 'NOAUTH__'),
        ...u32(0),
        ...serverInit(2, 2, 't'),
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
      ],
      [...version8, 16, ...u32(1), 1, ...afterInit(2, 2)],
      connected(2, 2, 't'),
    );
  });

  it('a server that only offers real tunnels is refused clearly', () => {
    expectHandshake(
      [...version8, 1, 16, ...u32(1), ...cap(1, 'SICR', 'SCHANNEL')],
      [...version8, 16],
      [
        'disconnect clean=false Tight: the server requires a tunnel (SICR:SCHANNEL) and does not offer NOTUNNEL',
      ],
    );
  });

  it('a capability that matches the code but not the signature is not used', () => {
    expectHandshake(
      [...version8, 1, 16, ...u32(0), ...u32(1), ...cap(2, 'STDV', 'VNCAUTHX')],
      [...version8, 16],
      ['disconnect clean=false Tight: no supported authentication type among STDV:VNCAUTHX'],
    );
  });
});

describe('VeNCrypt', () => {
  it('Plain: version 0.2, subtype 256, U32 lengths and UTF-8 credentials', () => {
    expectHandshake(
      [
        ...version8,
        1,
        19,
        0,
        2,
        0,
        2,
        ...u32(258),
        ...u32(256),
        ...u32(0),
        ...serverInit(2, 2, 'v'),
      ],
      [
        ...version8,
        19,
        0,
        2,
        ...u32(256),
        ...u32(4),
        ...u32(3),
        ...ascii('user'),
        ...ascii('pw!'),
        1,
        ...afterInit(2, 2),
      ],
      connected(2, 2, 'v'),
      { credentials: { username: 'user', password: 'pw!' } },
    );
  });

  it('Plain asks for username and password', () => {
    const h = makeSession();
    feed(h.session, [...version8, 1, 19, 0, 2, 0, 1, ...u32(256)], 1);
    expect(h.events.log).toEqual(['credentialsrequired username,password']);
    h.session.sendCredentials({ username: 'é', password: '' });
    expect(h.transport.take()).toEqual([
      ...version8,
      19,
      0,
      2,
      ...u32(256),
      ...u32(2),
      ...u32(0),
      0xc3,
      0xa9,
    ]);
  });

  it('a plain VncAuth subtype inside VeNCrypt', () => {
    expectHandshake(
      [
        ...version8,
        1,
        19,
        0,
        2,
        0,
        2,
        ...u32(258),
        ...u32(2),
        ...challenge,
        ...u32(0),
        ...serverInit(2, 2, 'v'),
      ],
      [...version8, 19, 0, 2, ...u32(2), ...e2epassResponse, 1, ...afterInit(2, 2)],
      connected(2, 2, 'v'),
      { credentials: { password: 'e2epass' } },
    );
  });

  it('TLS-only subtypes give an explanation', () => {
    expectHandshake(
      [...version8, 1, 19, 0, 2, 0, 2, ...u32(258), ...u32(262)],
      [...version8, 19, 0, 2],
      [
        'disconnect clean=false VeNCrypt: no usable subtype among TLSVnc, X509Plain; TLS subtypes cannot run inside a browser WebSocket (use wss:// to the gateway and allow Plain, VncAuth or None on the server)',
      ],
    );
  });

  it('is chosen only when nothing else fits', () => {
    expectHandshake(
      [...version8, 2, 19, 2, ...challenge, ...u32(0), ...serverInit(2, 2, 'v')],
      [...version8, 2, ...e2epassResponse, 1, ...afterInit(2, 2)],
      connected(2, 2, 'v'),
      { credentials: { password: 'e2epass' } },
    );
  });

  it('old VeNCrypt 0.1 and a refused version', () => {
    expectHandshake(
      [...version8, 1, 19, 0, 1],
      [...version8, 19],
      ['disconnect clean=false VeNCrypt: server version 0.1 is too old (0.2 needed)'],
    );
    expectHandshake(
      [...version8, 1, 19, 0, 2, 1],
      [...version8, 19, 0, 2],
      ['disconnect clean=false VeNCrypt: server refused version 0.2'],
    );
  });
});
