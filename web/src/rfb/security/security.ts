// The contract between the handshake and one security type's handler, and the handler factory.

import type { ByteQueue } from '../byte-queue';
import type { RsaPrivateKey } from '../crypto/rsa';

export interface Credentials {
  username?: string;
  password?: string;
}

export type CredentialType = 'username' | 'password';

/** A server's identity key, for the person to verify (the `serververification` event). */
export interface ServerIdentity {
  /** The key's algorithm: 'RSA' (RA2ne). */
  type: 'RSA';
  /** Key size in bits. */
  bits: number;
  /** SHA-256 of `publicKey`, as lowercase hex bytes joined by colons ("3f:a2:..."). */
  fingerprint: string;
  /** The key as the server sent it: U32 bit length, modulus, exponent. */
  publicKey: Uint8Array;
}

/** What a security handler may use from the session around it. */
export interface AuthContext {
  /** Negotiated RFB minor version (3, 7 or 8). */
  readonly minorVersion: 3 | 7 | 8;
  send(bytes: Uint8Array): void;
  /** The credentials known so far (from the options or sendCredentials). */
  credentials(): Credentials;
  /** Asks the user for credentials (the `credentialsrequired` event). */
  requestCredentials(types: CredentialType[]): void;
  /**
   * Asks the user whether to trust the server's key (the `serververification` event). The
   * handshake waits until serverApproved() is true; a refusal ends the session from outside.
   */
  verifyServer(identity: ServerIdentity): void;
  /** True once the user approved the key asked about with verifyServer. */
  serverApproved(): boolean;
  /** Marks the ServerInit as extended with Tight capabilities. */
  useTightServerInit(): void;
  /** Runs the handshake again after an asynchronous step finished. */
  resume(): void;
  /** Ends the session with an error found in an asynchronous step. */
  fail(error: unknown): void;
  randomBytes(n: number): Uint8Array;
  /** Creates the RA2 client key; absent where Web Crypto is unavailable (insecure context). */
  generateRsaKey?: (bits: number) => Promise<RsaPrivateKey>;
}

/** Where the handshake goes when a handler has finished. */
export type AuthOutcome =
  | { next: 'securityResult' }
  | { next: 'clientInit' }
  | { next: 'handler'; handler: SecurityHandler };

export interface SecurityHandler {
  /** Name for messages, e.g. "VNC authentication". */
  readonly name: string;
  /**
   * Consumes this security type's messages. Returns the outcome when done, or
   * null while it waits for bytes, for credentials or for an asynchronous step
   * (it then calls ctx.resume() itself). Throws ProtocolError on bad input.
   */
  process(q: ByteQueue): AuthOutcome | null;
}

/** The outcome of a successful "None": SecurityResult follows only from 3.8 on. */
export function noneOutcome(ctx: AuthContext): AuthOutcome {
  return ctx.minorVersion >= 8 ? { next: 'securityResult' } : { next: 'clientInit' };
}

/** Reads a length-prefixed list once it is complete: null while bytes are missing. */
export function readU32List(q: ByteQueue, count: number, offset = 0): number[] | null {
  if (q.length < offset + 4 * count) return null;
  q.skip(offset);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(q.readU32());
  return out;
}

const asciiDecoder = new TextDecoder('latin1');
/** Decodes bytes as Latin-1 (the historical RFB string encoding). */
export const latin1String = (bytes: Uint8Array): string => asciiDecoder.decode(bytes);
