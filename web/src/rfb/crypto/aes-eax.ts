// AES-EAX (Bellare, Rogaway, Wagner) built from Web Crypto's AES-CBC (for OMAC/CMAC) and AES-CTR.

const blockSize = 16;

/** Copies into a fresh ArrayBuffer-backed array, the type Web Crypto accepts. */
export const bufferOf = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/** Doubling in GF(2^128) as CMAC defines it. */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(blockSize);
  for (let i = 0; i < blockSize; i++) {
    out[i] = ((block[i] << 1) | (i + 1 < blockSize ? block[i + 1] >> 7 : 0)) & 0xff;
  }
  if (block[0] & 0x80) out[blockSize - 1] ^= 0x87;
  return out;
}

/** Thrown when a message's authentication tag does not match. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

export class AesEax {
  private constructor(
    private readonly cbcKey: CryptoKey,
    private readonly ctrKey: CryptoKey,
    private readonly k1: Uint8Array,
    private readonly k2: Uint8Array,
  ) {}

  /** Imports a 16- or 32-byte AES key. */
  static async create(key: Uint8Array): Promise<AesEax> {
    if (key.length !== 16 && key.length !== 32)
      throw new RangeError('AES key must be 16 or 32 bytes');
    const subtle = crypto.subtle;
    const raw = bufferOf(key);
    const cbcKey = await subtle.importKey('raw', raw, { name: 'AES-CBC' }, false, ['encrypt']);
    const ctrKey = await subtle.importKey('raw', raw, { name: 'AES-CTR' }, false, ['encrypt']);
    const l = await AesEax.cbcMacRaw(cbcKey, new Uint8Array(blockSize));
    const k1 = double(l);
    return new AesEax(cbcKey, ctrKey, k1, double(k1));
  }

  /** The last block of the CBC encryption of `data` (a multiple of 16 bytes) with a zero IV. */
  private static async cbcMacRaw(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
    const iv = new Uint8Array(blockSize);
    const out = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, key, bufferOf(data)),
    );
    // Web Crypto appends one block of PKCS#7 padding; the MAC is the block before it.
    return out.slice(data.length - blockSize, data.length);
  }

  /** OMAC^t_K(m) = CMAC_K([t]_16 || m). */
  private async omac(t: number, m: Uint8Array): Promise<Uint8Array> {
    const n = blockSize + m.length;
    const complete = n % blockSize === 0;
    const padded = new Uint8Array(complete ? n : n + blockSize - (n % blockSize));
    padded[blockSize - 1] = t;
    padded.set(m, blockSize);
    if (!complete) padded[n] = 0x80;
    const sub = complete ? this.k1 : this.k2;
    const last = padded.length - blockSize;
    for (let i = 0; i < blockSize; i++) padded[last + i] ^= sub[i];
    return AesEax.cbcMacRaw(this.cbcKey, padded);
  }

  private async ctr(counter: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    if (data.length === 0) return new Uint8Array(0);
    const out = await crypto.subtle.encrypt(
      { name: 'AES-CTR', counter: bufferOf(counter), length: 128 },
      this.ctrKey,
      bufferOf(data),
    );
    return new Uint8Array(out);
  }

  /** Returns the ciphertext followed by the 16-byte tag. */
  async encrypt(nonce: Uint8Array, header: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    const n = await this.omac(0, nonce);
    const h = await this.omac(1, header);
    const c = await this.ctr(n, plaintext);
    const cm = await this.omac(2, c);
    const out = new Uint8Array(c.length + blockSize);
    out.set(c);
    for (let i = 0; i < blockSize; i++) out[c.length + i] = n[i] ^ h[i] ^ cm[i];
    return out;
  }

  /** Checks the tag (the last 16 bytes) and returns the plaintext; throws AuthenticationError. */
  async decrypt(nonce: Uint8Array, header: Uint8Array, sealed: Uint8Array): Promise<Uint8Array> {
    if (sealed.length < blockSize)
      throw new AuthenticationError('AES-EAX message shorter than its tag');
    const c = sealed.subarray(0, sealed.length - blockSize);
    const tag = sealed.subarray(sealed.length - blockSize);
    const n = await this.omac(0, nonce);
    const h = await this.omac(1, header);
    const cm = await this.omac(2, c);
    let diff = 0;
    for (let i = 0; i < blockSize; i++) diff |= tag[i] ^ n[i] ^ h[i] ^ cm[i];
    if (diff !== 0) throw new AuthenticationError('AES-EAX authentication tag mismatch');
    return this.ctr(n, c);
  }
}
