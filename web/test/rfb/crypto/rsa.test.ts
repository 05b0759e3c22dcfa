// RSA PKCS#1 v1.5 tests, cross-checked against node:crypto (OpenSSL).

import {
  constants,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bigIntToBytes,
  bytesToBigInt,
  generateRsaKey,
  modPow,
  pkcs1v15Decrypt,
  pkcs1v15Encrypt,
} from '../../../src/rfb/crypto/rsa';
import type { RsaPrivateKey } from '../../../src/rfb/crypto/rsa';

const b64 = (s: string) => bytesToBigInt(Uint8Array.from(Buffer.from(s, 'base64url')));

function fromNode(key: KeyObject): RsaPrivateKey {
  const jwk = key.export({ format: 'jwk' });
  const n = b64(jwk.n!);
  return {
    n,
    e: b64(jwk.e!),
    size: Buffer.from(jwk.n!, 'base64url').length,
    d: b64(jwk.d!),
    p: b64(jwk.p!),
    q: b64(jwk.q!),
    dp: b64(jwk.dp!),
    dq: b64(jwk.dq!),
    qi: b64(jwk.qi!),
  };
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const key = fromNode(privateKey);
const random = (n: number) => Uint8Array.from(randomBytes(n));

describe('rsa', () => {
  it('converts integers and bytes', () => {
    expect(bytesToBigInt(Uint8Array.of(1, 0, 1))).toBe(65537n);
    expect(bigIntToBytes(65537n, 4)).toEqual(Uint8Array.of(0, 1, 0, 1));
    expect(() => bigIntToBytes(65537n, 2)).toThrow(RangeError);
    expect(modPow(4n, 13n, 497n)).toBe(445n);
  });

  it('encrypts so that OpenSSL finds a well-formed type-2 block', () => {
    const message = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const c = pkcs1v15Encrypt(key, message, random);
    const em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, c);
    expect(em[0]).toBe(0);
    expect(em[1]).toBe(2);
    const ps = em.subarray(2, em.length - 17);
    expect(ps.length).toBe(128 - 16 - 3);
    expect(ps.every((b) => b !== 0)).toBe(true);
    expect(em[em.length - 17]).toBe(0);
    expect(Uint8Array.from(em.subarray(em.length - 16))).toEqual(message);
  });

  it('replaces zero random bytes in the padding', () => {
    let calls = 0;
    const zerosFirst = (n: number) =>
      calls++ === 0 ? new Uint8Array(n) : new Uint8Array(n).fill(7);
    const c = pkcs1v15Encrypt(key, Uint8Array.of(9), zerosFirst);
    const em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, c);
    expect(Array.from(em.subarray(2, em.length - 2)).every((b) => b === 7)).toBe(true);
  });

  it('decrypts what OpenSSL encrypts', () => {
    const message = Uint8Array.from(randomBytes(32));
    const c = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, message);
    expect(pkcs1v15Decrypt(key, Uint8Array.from(c))).toEqual(message);
  });

  it('rejects bad padding, wrong lengths and out-of-range values', () => {
    const em = new Uint8Array(128);
    em[1] = 1; // type 1 is for signatures
    em.fill(0xff, 2, 100);
    const c = publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, em);
    expect(() => pkcs1v15Decrypt(key, Uint8Array.from(c))).toThrow('RSA decryption error');
    expect(() => pkcs1v15Decrypt(key, new Uint8Array(127))).toThrow('wrong length');
    expect(() => pkcs1v15Decrypt(key, new Uint8Array(128).fill(0xff))).toThrow('out of range');
    expect(() => pkcs1v15Encrypt(key, new Uint8Array(118), random)).toThrow('too long');
  });

  it('generates a usable key with Web Crypto', async () => {
    const k = await generateRsaKey(1024);
    expect(k.size).toBe(128);
    expect(k.e).toBe(65537n);
    const m = Uint8Array.of(1, 2, 3);
    expect(pkcs1v15Decrypt(k, pkcs1v15Encrypt(k, m, random))).toEqual(m);
  });
});
