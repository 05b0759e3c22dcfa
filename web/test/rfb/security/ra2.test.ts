// RA2ne tests: a full handshake against a scripted server built on node:crypto (OpenSSL RSA, AES-ECB/CTR, SHA).

import {
  constants,
  createCipheriv,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToBigInt, generateRsaKey } from '../../../src/rfb/crypto/rsa';
import type { RsaPrivateKey } from '../../../src/rfb/crypto/rsa';
import {
  ascii,
  chunkSizes,
  feed,
  makeSession,
  serverInit,
  u16,
  u32,
} from '../../fakes/session-fakes';
import type { Harness } from '../../fakes/session-fakes';
import type { ServerIdentity } from '../../../src/rfb/security/security';

const version8 = ascii('RFB 003.008\n');

// --- An independent AES-EAX for the server side, from AES-ECB (CMAC) and AES-CTR in OpenSSL.
function aesEcb(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}
function dbl(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i] << 1) | (i < 15 ? b[i + 1] >> 7 : 0)) & 0xff;
  if (b[0] & 0x80) out[15] ^= 0x87;
  return out;
}
function cmac(key: Buffer, m: Buffer): Buffer {
  const k1 = dbl(aesEcb(key, Buffer.alloc(16)));
  const k2 = dbl(k1);
  const n = Math.max(1, Math.ceil(m.length / 16));
  const complete = m.length > 0 && m.length % 16 === 0;
  let x: Buffer = Buffer.alloc(16);
  for (let i = 0; i < n; i++) {
    let block: Buffer = Buffer.alloc(16);
    m.copy(block, 0, i * 16, Math.min(m.length, i * 16 + 16));
    if (i === n - 1) {
      if (!complete) block[m.length - i * 16] = 0x80;
      const k = complete ? k1 : k2;
      block = Buffer.from(block.map((v, j) => v ^ k[j]));
    }
    x = aesEcb(key, Buffer.from(block.map((v, j) => v ^ x[j])));
  }
  return x;
}
const omac = (key: Buffer, t: number, m: Buffer) =>
  cmac(key, Buffer.concat([Buffer.alloc(15), Buffer.of(t), m]));
function eaxSeal(key: Buffer, nonce: Buffer, header: Buffer, msg: Buffer): Buffer {
  const n = omac(key, 0, nonce);
  const h = omac(key, 1, header);
  const ctr = createCipheriv(`aes-${key.length * 8}-ctr`, key, n);
  const c = Buffer.concat([ctr.update(msg), ctr.final()]);
  const cm = omac(key, 2, c);
  return Buffer.concat([c, Buffer.from(n.map((v, i) => v ^ h[i] ^ cm[i]))]);
}
function eaxOpen(key: Buffer, nonce: Buffer, header: Buffer, sealed: Buffer): Buffer {
  const c = sealed.subarray(0, sealed.length - 16);
  const n = omac(key, 0, nonce);
  const h = omac(key, 1, header);
  const cm = omac(key, 2, c);
  const tag = Buffer.from(n.map((v, i) => v ^ h[i] ^ cm[i]));
  if (!tag.equals(sealed.subarray(sealed.length - 16)))
    throw new Error('server: bad MAC from client');
  const ctr = createCipheriv(`aes-${key.length * 8}-ctr`, key, n);
  return Buffer.concat([ctr.update(c), ctr.final()]);
}
const nonce = (i: number) => {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(i);
  return b;
};

function nodeKeyToRsa(key: KeyObject): RsaPrivateKey {
  const jwk = key.export({ format: 'jwk' });
  const f = (s?: string) => bytesToBigInt(Uint8Array.from(Buffer.from(s!, 'base64url')));
  return {
    n: f(jwk.n),
    e: f(jwk.e),
    size: Buffer.from(jwk.n!, 'base64url').length,
    d: f(jwk.d),
    p: f(jwk.p),
    q: f(jwk.q),
    dp: f(jwk.dp),
    dq: f(jwk.dq),
    qi: f(jwk.qi),
  };
}

const serverPair = generateKeyPairSync('rsa', { modulusLength: 1024 });
const clientPair = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** Waits (on macrotasks) until the client has sent at least n bytes in total. */
async function waitForSent(h: Harness, n: number, got: number[]): Promise<Buffer> {
  for (let i = 0; i < 2000 && got.length < n; i++) {
    got.push(...h.transport.take());
    if (got.length < n) await new Promise((r) => setTimeout(r, 1));
  }
  if (got.length < n)
    throw new Error(`client sent ${got.length} bytes, expected ${n}; events ${h.events.log}`);
  return Buffer.from(got.splice(0, n));
}

interface Scenario {
  keySize: 128 | 256;
  subtype: 1 | 2;
  oneFrame: boolean;
  chunk: number;
  credentials?: { username?: string; password?: string };
  tamper?: 'hash' | 'mac';
  realKeygen?: boolean;
  /** What the person answers to the server's key (default: approve). */
  verdict?: 'approve' | 'reject' | 'disconnect';
}

/** Waits (on macrotasks) until the session reported the server's key. */
async function waitForVerification(h: Harness): Promise<ServerIdentity> {
  for (let i = 0; i < 2000 && h.events.identities.length === 0; i++)
    await new Promise((r) => setTimeout(r, 1));
  expect(h.events.identities, `events ${h.events.log}`).toHaveLength(1);
  return h.events.identities[0];
}

/** SHA-256 as lowercase hex pairs joined by colons, by OpenSSL. */
const sha256Colons = (b: Buffer) =>
  createHash('sha256').update(b).digest('hex').match(/../g)!.join(':');

async function runRa2(s: Scenario): Promise<{ h: Harness; credentials?: Buffer }> {
  const type = s.keySize === 128 ? 6 : 130;
  const hashName = s.keySize === 128 ? 'sha1' : 'sha256';
  const randomSize = s.keySize / 8;
  const h = makeSession({
    credentials: s.credentials,
    generateRsaKey: s.realKeygen ? generateRsaKey : async () => nodeKeyToRsa(clientPair.privateKey),
  });
  const got: number[] = [];
  const jwk = serverPair.publicKey.export({ format: 'jwk' });
  const n = Buffer.from(jwk.n!, 'base64url');
  const e = Buffer.alloc(128);
  Buffer.from(jwk.e!, 'base64url').copy(e, 128 - 3);
  const serverBlob = Buffer.concat([Buffer.from(u32(1024)), n, e]);
  feed(h.session, [...version8, 2, type, 1, ...serverBlob], s.chunk);

  // The server's key is shown to the person; nothing more is sent until they approve it.
  expect(Array.from(await waitForSent(h, 12 + 1, got))).toEqual([...version8, type]);
  const identity = await waitForVerification(h);
  expect(identity.type).toBe('RSA');
  expect(identity.bits).toBe(1024);
  expect(Buffer.from(identity.publicKey)).toEqual(serverBlob);
  expect(identity.fingerprint).toBe(sha256Colons(serverBlob));
  await new Promise((r) => setTimeout(r, 5));
  expect(h.transport.take()).toEqual([]);
  if (s.verdict === 'reject' || s.verdict === 'disconnect') {
    if (s.verdict === 'reject') h.session.rejectServer();
    else h.session.disconnect();
    return { h };
  }
  h.session.approveServer();

  // Client public key and encrypted random.
  const clientHeader = await waitForSent(h, 4, got);
  const clientBits = clientHeader.readUInt32BE(0);
  expect(clientBits).toBe(2048);
  const size = clientBits / 8;
  const clientKeyBytes = await waitForSent(h, 2 * size, got);
  const clientBlob = Buffer.concat([clientHeader, clientKeyBytes]);
  const encLength = (await waitForSent(h, 2, got)).readUInt16BE(0);
  expect(encLength).toBe(128);
  const em = privateDecrypt(
    { key: serverPair.privateKey, padding: constants.RSA_NO_PADDING },
    await waitForSent(h, 128, got),
  );
  expect([em[0], em[1], em[128 - randomSize - 1]]).toEqual([0, 2, 0]);
  const clientRandom = em.subarray(128 - randomSize);

  // Server random encrypted to the client's key by OpenSSL.
  const clientPub = createPublicKey({
    key: {
      kty: 'RSA',
      n: clientKeyBytes.subarray(0, size).toString('base64url'),
      e: clientKeyBytes
        .subarray(size)
        .subarray(size - 3)
        .toString('base64url'),
    },
    format: 'jwk',
  });
  const serverRandom = randomBytes(randomSize);
  const encrypted = publicEncrypt(
    { key: clientPub, padding: constants.RSA_PKCS1_PADDING },
    serverRandom,
  );
  feed(h.session, [...u16(encrypted.length), ...encrypted], s.chunk);

  const digest = (...parts: Buffer[]) => createHash(hashName).update(Buffer.concat(parts)).digest();
  const clientKey = digest(serverRandom, clientRandom).subarray(0, randomSize);
  const serverKey = digest(clientRandom, serverRandom).subarray(0, randomSize);
  const hashSize = s.keySize === 128 ? 20 : 32;

  // Client hash, checked.
  const frameLength = (await waitForSent(h, 2, got)).readUInt16BE(0);
  expect(frameLength).toBe(hashSize);
  const clientHash = eaxOpen(
    clientKey,
    nonce(0),
    Buffer.from(u16(hashSize)),
    await waitForSent(h, hashSize + 16, got),
  );
  expect(clientHash).toEqual(digest(clientBlob, serverBlob));

  // Server hash and subtype, in one frame or two.
  const serverHash = digest(serverBlob, clientBlob);
  if (s.tamper === 'hash') serverHash[0] ^= 1;
  const frame = (i: number, m: Buffer) => {
    const sealed = eaxSeal(serverKey, nonce(i), Buffer.from(u16(m.length)), m);
    if (s.tamper === 'mac') sealed[0] ^= 1;
    return [...u16(m.length), ...sealed];
  };
  const frames = s.oneFrame
    ? frame(0, Buffer.concat([serverHash, Buffer.of(s.subtype)]))
    : [...frame(0, serverHash), ...frame(1, Buffer.of(s.subtype))];
  feed(h.session, frames, s.chunk);
  if (s.tamper) {
    for (let i = 0; i < 200 && h.session.state !== 'disconnected'; i++)
      await new Promise((r) => setTimeout(r, 1));
    return { h };
  }
  if (!s.credentials) {
    // After serververification: one more event (credentialsrequired).
    for (let i = 0; i < 200 && h.events.log.length < 2; i++)
      await new Promise((r) => setTimeout(r, 1));
    return { h };
  }

  const credLength = (await waitForSent(h, 2, got)).readUInt16BE(0);
  const credentials = eaxOpen(
    clientKey,
    nonce(1),
    Buffer.from(u16(credLength)),
    await waitForSent(h, credLength + 16, got),
  );
  feed(h.session, [...u32(0), ...serverInit(4, 2, 'ra2')], s.chunk);
  expect(h.transport.take().slice(0, 1)).toEqual([1]); // ClientInit (shared)
  return { h, credentials };
}

describe('RA2ne', () => {
  for (const chunk of chunkSizes) {
    it(`password subtype, hash and subtype in one frame, chunk ${chunk}`, async () => {
      const { h, credentials } = await runRa2({
        keySize: 128,
        subtype: 2,
        oneFrame: true,
        chunk,
        credentials: { password: 'sécret' },
      });
      expect(Array.from(credentials!)).toEqual([0, 7, ...Buffer.from('sécret')]);
      expect(h.events.log).toEqual([
        'serververification RSA 1024',
        'resize 4x2',
        'desktopname ra2',
        'connect',
      ]);
    });
  }

  it('username and password subtype, separate frames', async () => {
    const { credentials } = await runRa2({
      keySize: 128,
      subtype: 1,
      oneFrame: false,
      chunk: 5,
      credentials: { username: 'user', password: 'pw' },
    });
    expect(Array.from(credentials!)).toEqual([4, ...ascii('user'), 2, ...ascii('pw')]);
  });

  it('RA2ne_256: 32-byte randoms, SHA-256, AES-256', async () => {
    const { credentials } = await runRa2({
      keySize: 256,
      subtype: 2,
      oneFrame: false,
      chunk: 1,
      credentials: { password: 'x' },
    });
    expect(Array.from(credentials!)).toEqual([0, 1, ...ascii('x')]);
  });

  it('with a client key generated by Web Crypto', async () => {
    const { credentials } = await runRa2({
      keySize: 128,
      subtype: 2,
      oneFrame: true,
      chunk: Infinity,
      credentials: { password: 'p' },
      realKeygen: true,
    });
    expect(Array.from(credentials!)).toEqual([0, 1, ...ascii('p')]);
  });

  it('asks for username and password when the subtype needs them', async () => {
    const { h } = await runRa2({ keySize: 128, subtype: 1, oneFrame: true, chunk: Infinity });
    expect(h.events.log).toEqual([
      'serververification RSA 1024',
      'credentialsrequired username,password',
    ]);
  });

  it('a wrong server hash ends the session', async () => {
    const { h } = await runRa2({
      keySize: 128,
      subtype: 2,
      oneFrame: true,
      chunk: 3,
      credentials: { password: 'p' },
      tamper: 'hash',
    });
    expect(h.events.log).toEqual([
      'serververification RSA 1024',
      'disconnect clean=false RA2ne: server hash does not match (wrong server key?)',
    ]);
  });

  it('a corrupted MAC ends the session', async () => {
    const { h } = await runRa2({
      keySize: 128,
      subtype: 2,
      oneFrame: true,
      chunk: 3,
      credentials: { password: 'p' },
      tamper: 'mac',
    });
    expect(h.events.log).toEqual([
      'serververification RSA 1024',
      'disconnect clean=false RA2ne: message authentication failed',
    ]);
  });

  it('a rejected server key ends the session before anything is sent, with the reason', async () => {
    const { h } = await runRa2({
      keySize: 256,
      subtype: 2,
      oneFrame: true,
      chunk: 7,
      credentials: { password: 'p' },
      verdict: 'reject',
    });
    expect(h.events.log).toEqual([
      'serververification RSA 1024',
      "disconnect clean=false the server's identity key was rejected (not trusted)",
    ]);
    expect(h.transport.closed).toBe(true);
    expect(h.transport.take()).toEqual([]);
    h.session.approveServer(); // too late: nothing happens
    expect(h.transport.take()).toEqual([]);
  });

  it('disconnect() while the key is shown ends the session cleanly', async () => {
    const { h } = await runRa2({
      keySize: 128,
      subtype: 2,
      oneFrame: true,
      chunk: Infinity,
      verdict: 'disconnect',
    });
    expect(h.events.log).toEqual(['serververification RSA 1024', 'disconnect clean=true']);
  });

  it('approveServer before the key was shown does not approve it in advance', async () => {
    const h = makeSession({ generateRsaKey: async () => nodeKeyToRsa(clientPair.privateKey) });
    h.session.approveServer();
    const jwk = serverPair.publicKey.export({ format: 'jwk' });
    const e = Buffer.alloc(128);
    Buffer.from(jwk.e!, 'base64url').copy(e, 128 - 3);
    feed(
      h.session,
      [...version8, 1, 6, ...u32(1024), ...Buffer.from(jwk.n!, 'base64url'), ...e],
      1,
    );
    await waitForVerification(h);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.transport.take()).toEqual([...version8, 6]); // no client key: still waiting
    h.session.approveServer();
    const got: number[] = [];
    expect((await waitForSent(h, 4, got)).readUInt32BE(0)).toBe(2048);
  });

  it('rejects keys outside 1024..8192 bits before reading them', () => {
    for (const bits of [512, 8193]) {
      const h = makeSession({ generateRsaKey: async () => nodeKeyToRsa(clientPair.privateKey) });
      feed(h.session, [...version8, 1, 6, ...u32(bits)], 1);
      expect(h.events.log).toEqual([
        `disconnect clean=false RA2ne: server key length ${bits} bits is outside 1024..8192`,
      ]);
    }
  });
});
