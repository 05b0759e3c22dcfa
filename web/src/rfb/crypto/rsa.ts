// RSA with PKCS#1 v1.5 encryption padding (RFC 8017 7.2) over BigInt; Web Crypto offers only OAEP.

/** Big-endian unsigned bytes to a BigInt. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** A BigInt to exactly `length` big-endian bytes; throws if it does not fit. */
export function bigIntToBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  if (n !== 0n) throw new RangeError('integer too large for its byte length');
  return out;
}

/** base^exp mod m by square-and-multiply. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  base %= m;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % m;
    base = (base * base) % m;
    exp >>= 1n;
  }
  return result;
}

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  /** Modulus length in bytes, k in RFC 8017. */
  size: number;
}

export interface RsaPrivateKey extends RsaPublicKey {
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
}

/** Number of significant bits of n. */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * RSAES-PKCS1-v1_5 encryption. `randomBytes` must return cryptographically
 * random bytes (zeros are replaced, as the padding string must be non-zero).
 */
export function pkcs1v15Encrypt(
  key: RsaPublicKey,
  message: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  const k = key.size;
  if (message.length > k - 11) throw new RangeError('message too long for the RSA key');
  const em = new Uint8Array(k);
  em[1] = 2;
  const psLength = k - message.length - 3;
  const ps = randomBytes(psLength);
  for (let i = 0; i < psLength; i++) {
    let b = ps[i];
    while (b === 0) b = randomBytes(1)[0];
    em[2 + i] = b;
  }
  em.set(message, k - message.length);
  return bigIntToBytes(modPow(bytesToBigInt(em), key.e, key.n), k);
}

/** RSAES-PKCS1-v1_5 decryption with the CRT; throws Error on any padding fault. */
export function pkcs1v15Decrypt(key: RsaPrivateKey, ciphertext: Uint8Array): Uint8Array {
  const k = key.size;
  if (ciphertext.length !== k) throw new Error('RSA ciphertext has the wrong length');
  const c = bytesToBigInt(ciphertext);
  if (c >= key.n) throw new Error('RSA ciphertext out of range');
  const m1 = modPow(c, key.dp, key.p);
  const m2 = modPow(c, key.dq, key.q);
  const h = (key.qi * (((m1 - m2) % key.p) + key.p)) % key.p;
  const em = bigIntToBytes(m2 + h * key.q, k);
  if (em[0] !== 0 || em[1] !== 2) throw new Error('RSA decryption error');
  let sep = 2;
  while (sep < k && em[sep] !== 0) sep++;
  if (sep === k || sep < 10) throw new Error('RSA decryption error');
  return em.slice(sep + 1);
}

function base64UrlToBigInt(s: string | undefined): bigint {
  if (s === undefined) throw new Error('RSA key export lacks a field');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return bytesToBigInt(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** Generates an RSA key pair with Web Crypto (as OAEP, the only use it allows) and exports its numbers. */
export async function generateRsaKey(bits: number): Promise<RsaPrivateKey> {
  const pair = (await crypto.subtle.generateKey(
    {
      name: 'RSA-OAEP',
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['encrypt', 'decrypt'],
  )) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const n = base64UrlToBigInt(jwk.n);
  return {
    n,
    e: base64UrlToBigInt(jwk.e),
    size: Math.ceil(bitLength(n) / 8),
    d: base64UrlToBigInt(jwk.d),
    p: base64UrlToBigInt(jwk.p),
    q: base64UrlToBigInt(jwk.q),
    dp: base64UrlToBigInt(jwk.dp),
    dq: base64UrlToBigInt(jwk.dq),
    qi: base64UrlToBigInt(jwk.qi),
  };
}
