// RA2ne (RSA-AES, handshake-only encryption, types 6 and 130): RSA key exchange, then AES-EAX messages.

import { ProtocolError } from '../../decoders/decoder';
import type { ByteQueue } from '../byte-queue';
import {
  maxRa2CredentialLength,
  maxRsaKeyBits,
  minRsaKeyBits,
  ra2SubtypePass,
  ra2SubtypeUserPass,
} from '../constants';
import { AesEax, bufferOf } from '../crypto/aes-eax';
import type { RsaPrivateKey, RsaPublicKey } from '../crypto/rsa';
import { bigIntToBytes, bytesToBigInt, pkcs1v15Decrypt, pkcs1v15Encrypt } from '../crypto/rsa';
import type { AuthContext, AuthOutcome, SecurityHandler } from './security';

/** SHA-256 of `key`, as lowercase hex bytes joined by colons: what the person compares. */
export async function keyFingerprint(key: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bufferOf(key)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Size of the key the client generates (TigerVNC matches the server's; any 1024..8192 is accepted). */
export const ra2ClientKeyBits = 2048;
const macSize = 16;

type State =
  'keyLength' | 'key' | 'approval' | 'serverRandom' | 'frames' | 'credentials' | 'done' | 'busy';

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const u16 = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff);
const u32 = (n: number): Uint8Array =>
  Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);

/** One direction of the RA2 message layer: AES-EAX with a 16-byte little-endian counter as nonce. */
class Ra2Channel {
  private readonly counter = new Uint8Array(16);
  constructor(private readonly cipher: AesEax) {}

  private nextNonce(): Uint8Array {
    const nonce = this.counter.slice();
    for (let i = 0; i < 16 && ++this.counter[i] === 256; i++) this.counter[i] = 0;
    return nonce;
  }

  /** U16 length, ciphertext, MAC; the length is the associated data. */
  async seal(message: Uint8Array): Promise<Uint8Array> {
    const header = u16(message.length);
    return concat(header, await this.cipher.encrypt(this.nextNonce(), header, message));
  }

  async open(length: number, sealed: Uint8Array): Promise<Uint8Array> {
    return this.cipher.decrypt(this.nextNonce(), u16(length), sealed);
  }
}

export class Ra2Handler implements SecurityHandler {
  readonly name: string;
  private state: State = 'keyLength';
  private serverBits = 0;
  private serverKey: RsaPublicKey | null = null;
  private serverBlob: Uint8Array = new Uint8Array(0);
  private clientKey: RsaPrivateKey | null = null;
  private clientBlob: Uint8Array = new Uint8Array(0);
  private clientRandom: Uint8Array = new Uint8Array(0);
  private toServer: Ra2Channel | null = null;
  private fromServer: Ra2Channel | null = null;
  private expectedServerHash: Uint8Array = new Uint8Array(0);
  private plain: Uint8Array = new Uint8Array(0);
  private subtype = 0;
  private asked = false;
  private readonly hash: 'SHA-1' | 'SHA-256';
  private readonly hashSize: number;
  private readonly randomSize: number;

  /** `keySize` 128 is RA2ne (SHA-1, AES-128); 256 is RA2ne_256 (SHA-256, AES-256). */
  constructor(
    private readonly ctx: AuthContext,
    keySize: 128 | 256,
  ) {
    this.name = keySize === 128 ? 'RA2ne' : 'RA2ne_256';
    this.hash = keySize === 128 ? 'SHA-1' : 'SHA-256';
    this.hashSize = keySize === 128 ? 20 : 32;
    this.randomSize = keySize / 8;
  }

  /** The server's public key as sent (U32 bits, modulus, exponent), for fingerprints. */
  get serverPublicKey(): Uint8Array {
    return this.serverBlob;
  }

  process(q: ByteQueue): AuthOutcome | null {
    switch (this.state) {
      case 'keyLength': {
        if (q.length < 4) return null;
        this.serverBits = q.readU32();
        if (this.serverBits < minRsaKeyBits || this.serverBits > maxRsaKeyBits) {
          throw new ProtocolError(
            `${this.name}: server key length ${this.serverBits} bits is outside ${minRsaKeyBits}..${maxRsaKeyBits}`,
          );
        }
        this.state = 'key';
        return this.process(q);
      }
      case 'key': {
        const size = Math.ceil(this.serverBits / 8);
        if (q.length < 2 * size) return null;
        const nBytes = q.readBytes(size);
        const eBytes = q.readBytes(size);
        const n = bytesToBigInt(nBytes);
        const e = bytesToBigInt(eBytes);
        if ((n & 1n) === 0n || n.toString(2).length < (size - 1) * 8 || e < 3n || e >= n) {
          throw new ProtocolError(`${this.name}: server public key is invalid`);
        }
        this.serverKey = { n, e, size };
        this.serverBlob = concat(u32(this.serverBits), nBytes, eBytes);
        if (!this.ctx.generateRsaKey) {
          throw new ProtocolError(
            `${this.name}: Web Crypto is unavailable (the page must be https or localhost)`,
          );
        }
        // Nothing is sent until the person trusts this key: RA2ne has no other server check.
        this.runAsync(async () => {
          this.ctx.verifyServer({
            type: 'RSA',
            bits: this.serverBits,
            fingerprint: await keyFingerprint(this.serverBlob),
            publicKey: this.serverBlob.slice(),
          });
          return 'approval';
        });
        return null;
      }
      case 'approval': {
        if (!this.ctx.serverApproved()) return null;
        const generate = this.ctx.generateRsaKey!;
        this.runAsync(async () => {
          const key = await generate(ra2ClientKeyBits);
          this.clientKey = key;
          this.clientBlob = concat(
            u32(ra2ClientKeyBits),
            bigIntToBytes(key.n, key.size),
            bigIntToBytes(key.e, key.size),
          );
          this.clientRandom = this.ctx.randomBytes(this.randomSize);
          const encrypted = pkcs1v15Encrypt(this.serverKey!, this.clientRandom, (k) =>
            this.ctx.randomBytes(k),
          );
          this.ctx.send(this.clientBlob);
          this.ctx.send(concat(u16(encrypted.length), encrypted));
          return 'serverRandom';
        });
        return null;
      }
      case 'serverRandom': {
        const key = this.clientKey!;
        if (q.length < 2) return null;
        const length = q.peekU16();
        if (length !== key.size) {
          throw new ProtocolError(
            `${this.name}: server random has length ${length}, expected ${key.size}`,
          );
        }
        if (q.length < 2 + length) return null;
        q.skip(2);
        let serverRandom: Uint8Array;
        try {
          serverRandom = pkcs1v15Decrypt(key, q.readView(length));
        } catch {
          throw new ProtocolError(`${this.name}: cannot decrypt the server random`);
        }
        if (serverRandom.length !== this.randomSize) {
          throw new ProtocolError(
            `${this.name}: server random has ${serverRandom.length} bytes, expected ${this.randomSize}`,
          );
        }
        this.runAsync(async () => {
          const digest = async (data: Uint8Array) =>
            new Uint8Array(await crypto.subtle.digest(this.hash, bufferOf(data)));
          const keyLength = this.randomSize; // 16 bytes of SHA-1, or all 32 of SHA-256
          const clientSessionKey = (await digest(concat(serverRandom, this.clientRandom))).slice(
            0,
            keyLength,
          );
          const serverSessionKey = (await digest(concat(this.clientRandom, serverRandom))).slice(
            0,
            keyLength,
          );
          this.toServer = new Ra2Channel(await AesEax.create(clientSessionKey));
          this.fromServer = new Ra2Channel(await AesEax.create(serverSessionKey));
          this.expectedServerHash = await digest(concat(this.serverBlob, this.clientBlob));
          const clientHash = await digest(concat(this.clientBlob, this.serverBlob));
          this.ctx.send(await this.toServer.seal(clientHash));
          return 'frames';
        });
        return null;
      }
      case 'frames': {
        const wanted = this.hashSize + 1;
        if (this.plain.length < wanted) {
          if (q.length < 2) return null;
          const length = q.peekU16();
          if (q.length < 2 + length + macSize) return null;
          q.skip(2);
          const sealed = q.readBytes(length + macSize);
          this.runAsync(async () => {
            let message: Uint8Array;
            try {
              message = await this.fromServer!.open(length, sealed);
            } catch {
              throw new ProtocolError(`${this.name}: message authentication failed`);
            }
            this.plain = concat(this.plain, message);
            return 'frames';
          });
          return null;
        }
        if (this.plain.length > wanted)
          throw new ProtocolError(`${this.name}: unexpected data after the subtype`);
        const hash = this.plain.subarray(0, this.hashSize);
        if (!hash.every((b, i) => b === this.expectedServerHash[i])) {
          throw new ProtocolError(`${this.name}: server hash does not match (wrong server key?)`);
        }
        this.subtype = this.plain[this.hashSize];
        if (this.subtype !== ra2SubtypeUserPass && this.subtype !== ra2SubtypePass) {
          throw new ProtocolError(`${this.name}: unknown credential subtype ${this.subtype}`);
        }
        this.state = 'credentials';
        return this.process(q);
      }
      case 'credentials': {
        const { username, password } = this.ctx.credentials();
        const needUser = this.subtype === ra2SubtypeUserPass;
        if (password === undefined || (needUser && username === undefined)) {
          if (!this.asked) {
            this.asked = true;
            this.ctx.requestCredentials(needUser ? ['username', 'password'] : ['password']);
          }
          return null;
        }
        const enc = new TextEncoder();
        const user = needUser ? enc.encode(username) : new Uint8Array(0);
        const pass = enc.encode(password);
        if (user.length > maxRa2CredentialLength || pass.length > maxRa2CredentialLength) {
          throw new ProtocolError(
            `${this.name}: username or password longer than ${maxRa2CredentialLength} bytes`,
          );
        }
        const message = concat(Uint8Array.of(user.length), user, Uint8Array.of(pass.length), pass);
        this.runAsync(async () => {
          this.ctx.send(await this.toServer!.seal(message));
          return 'done';
        });
        return null;
      }
      case 'done':
        return { next: 'securityResult' };
      case 'busy':
        return null;
    }
  }

  /** Runs an asynchronous step; the handshake waits ('busy') until it sets the next state. */
  private runAsync(step: () => Promise<State>): void {
    this.state = 'busy';
    step().then(
      (next) => {
        this.state = next;
        this.ctx.resume();
      },
      (err: unknown) => this.ctx.fail(err),
    );
  }
}
