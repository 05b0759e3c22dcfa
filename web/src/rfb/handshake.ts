// The RFB handshake state machine: ProtocolVersion, Security, SecurityResult, ClientInit, ServerInit.

import { ProtocolError } from '../decoders/decoder';
import type { ByteQueue } from './byte-queue';
import {
  maxDesktopNameLength,
  maxHandshakeBuffer,
  maxReasonLength,
  maxSecurityTypes,
  maxTightCapabilities,
  securityResultOk,
  securityResultTooMany,
  securityTypeInvalid,
  securityTypeNone,
  securityTypeVncAuth,
} from './constants';
import type { PixelFormat } from './messages';
import { writeClientInit, writeProtocolVersion, writeU8 } from './messages';
import { chooseSecurityType, securityTypeNames, startSecurity } from './security/factory';
import type { AuthContext, AuthOutcome, SecurityHandler } from './security/security';
import { latin1String } from './security/security';
import type { TightCapability } from './security/tight';
import { readTightCapability, tightCapabilitySize } from './security/tight';

/** The security handshake failed; `reason` is the server's text when it sent one. */
export class SecurityFailure extends ProtocolError {
  override name = 'SecurityFailure';
  constructor(
    message: string,
    readonly status: number,
    readonly reason?: string,
  ) {
    super(reason ? `${message}: ${reason}` : message);
  }
}

export interface ServerInit {
  width: number;
  height: number;
  pixelFormat: PixelFormat;
  name: string;
  /** Present when the Tight security type extended the ServerInit. */
  tight?: {
    serverMessages: TightCapability[];
    clientMessages: TightCapability[];
    encodings: TightCapability[];
  };
}

/** What the handshake needs from its session: AuthContext without the version, plus the shared flag. */
export type HandshakeHost = Omit<AuthContext, 'minorVersion' | 'useTightServerInit'> & {
  readonly shared: boolean;
};

type State =
  | 'version'
  | 'securityTypes'
  | 'securityType33'
  | 'auth'
  | 'securityResult'
  | 'reason'
  | 'serverInit'
  | 'done';

const decodeText = (bytes: Uint8Array): string => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return latin1String(bytes); // older servers send Latin-1
  }
};

/** Parses "RFB xxx.yyy\n" and maps the server's version to the one the client speaks. */
export function negotiateVersion(banner: Uint8Array): 3 | 7 | 8 {
  const text = latin1String(banner);
  const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(text);
  if (!m) throw new ProtocolError(`not an RFB server (it sent ${JSON.stringify(text)})`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major === 3 && minor < 7) return 3; // includes 3.5 and UltraVNC's 3.6
  if (major === 3 && minor === 7) return 7;
  if (major >= 3) return 8; // 3.8, Apple's 3.889, Intel AMT's 4.0, RealVNC's 4.1 and 5.0
  throw new ProtocolError(`unsupported RFB version ${m[1]}.${m[2]}`);
}

export class Handshake {
  private state: State = 'version';
  private minor: 3 | 7 | 8 = 8;
  private handler: SecurityHandler | null = null;
  private tightServerInit = false;
  private failureStatus = 0;
  private failureContext = '';
  private chosenType = securityTypeInvalid;
  private readonly auth: AuthContext;

  constructor(private readonly host: HandshakeHost) {
    const self = this;
    this.auth = {
      get minorVersion() {
        return self.minor;
      },
      send: (b) => host.send(b),
      credentials: () => host.credentials(),
      requestCredentials: (t) => host.requestCredentials(t),
      verifyServer: (identity) => host.verifyServer(identity),
      serverApproved: () => host.serverApproved(),
      useTightServerInit: () => (this.tightServerInit = true),
      resume: () => host.resume(),
      fail: (e) => host.fail(e),
      randomBytes: (n) => host.randomBytes(n),
      generateRsaKey: host.generateRsaKey,
    };
  }

  get minorVersion(): 3 | 7 | 8 {
    return this.minor;
  }

  /** The security type in use (0 until chosen). */
  get securityType(): number {
    return this.chosenType;
  }

  get finished(): boolean {
    return this.state === 'done';
  }

  /**
   * Consumes handshake bytes. Returns the ServerInit once it has been read
   * (and leaves any following bytes in `q`), or null while more bytes,
   * credentials or an asynchronous step are awaited. Throws ProtocolError (or
   * SecurityFailure) on bad input or refusal.
   */
  process(q: ByteQueue): ServerInit | null {
    const result = this.step(q);
    if (result === null && q.length > maxHandshakeBuffer) {
      throw new ProtocolError('server sent too much data during the handshake');
    }
    return result;
  }

  private step(q: ByteQueue): ServerInit | null {
    for (;;) {
      switch (this.state) {
        case 'version': {
          if (q.length < 12) return null;
          this.minor = negotiateVersion(q.readView(12));
          this.host.send(writeProtocolVersion(this.minor));
          this.state = this.minor >= 7 ? 'securityTypes' : 'securityType33';
          break;
        }
        case 'securityTypes': {
          if (q.length < 1) return null;
          const count = q.peekU8();
          if (count === 0) {
            q.skip(1);
            this.fail('connection refused', 1, 'reason');
            break;
          }
          if (count > maxSecurityTypes) throw new ProtocolError('too many security types');
          if (q.length < 1 + count) return null;
          q.skip(1);
          const offered = Array.from(q.readView(count));
          const type = chooseSecurityType(offered, this.auth);
          if (type === undefined) {
            const names = offered.map((t) => securityTypeNames[t] ?? String(t)).join(', ');
            throw new ProtocolError(`no supported security type (the server offers ${names})`);
          }
          this.chosenType = type;
          this.host.send(writeU8(type));
          this.apply(startSecurity(type, this.auth));
          break;
        }
        case 'securityType33': {
          if (q.length < 4) return null;
          const type = q.readU32();
          if (type === securityTypeInvalid) {
            this.fail('connection refused', 1, 'reason');
            break;
          }
          if (type !== securityTypeNone && type !== securityTypeVncAuth) {
            throw new ProtocolError(`RFB 3.3 server chose invalid security type ${type}`);
          }
          this.chosenType = type;
          this.apply(startSecurity(type, this.auth));
          break;
        }
        case 'auth': {
          const outcome = this.handler!.process(q);
          if (outcome === null) return null;
          this.apply(outcome);
          break;
        }
        case 'securityResult': {
          if (q.length < 4) return null;
          const status = q.readU32();
          if (status === securityResultOk) {
            this.host.send(writeClientInit(this.host.shared));
            this.state = 'serverInit';
            break;
          }
          const what =
            status === securityResultTooMany
              ? 'authentication failed, too many attempts'
              : 'authentication failed';
          if (this.minor >= 8) {
            this.fail(what, status, 'reason');
            break;
          }
          throw new SecurityFailure(what, status);
        }
        case 'reason': {
          if (q.length < 4) return null;
          const length = q.peekU32();
          if (length > maxReasonLength)
            throw new ProtocolError(`security failure reason too long (${length} bytes)`);
          if (q.length < 4 + length) return null;
          q.skip(4);
          const reason = decodeText(q.readView(length));
          throw new SecurityFailure(this.failureContext, this.failureStatus, reason || undefined);
        }
        case 'serverInit':
          return this.readServerInit(q);
        case 'done':
          throw new Error('handshake already finished');
      }
    }
  }

  private fail(context: string, status: number, next: 'reason'): void {
    this.failureContext = context;
    this.failureStatus = status;
    this.state = next;
  }

  private apply(outcome: AuthOutcome): void {
    switch (outcome.next) {
      case 'handler':
        this.handler = outcome.handler;
        this.state = 'auth';
        break;
      case 'securityResult':
        this.state = 'securityResult';
        break;
      case 'clientInit':
        this.host.send(writeClientInit(this.host.shared));
        this.state = 'serverInit';
        break;
    }
  }

  private readServerInit(q: ByteQueue): ServerInit | null {
    if (q.length < 24) return null;
    const nameLength = q.peekU32(20);
    if (nameLength > maxDesktopNameLength) {
      throw new ProtocolError(`desktop name too long (${nameLength} bytes)`);
    }
    let total = 24 + nameLength;
    let counts: [number, number, number] = [0, 0, 0];
    if (this.tightServerInit) {
      if (q.length < total + 8) return null;
      counts = [q.peekU16(total), q.peekU16(total + 2), q.peekU16(total + 4)];
      if (counts.some((c) => c > maxTightCapabilities))
        throw new ProtocolError('too many Tight capabilities');
      total += 8 + tightCapabilitySize * (counts[0] + counts[1] + counts[2]);
    }
    if (q.length < total) return null;
    const width = q.readU16();
    const height = q.readU16();
    const pixelFormat: PixelFormat = {
      bitsPerPixel: q.readU8(),
      depth: q.readU8(),
      bigEndian: q.readU8() !== 0,
      trueColour: q.readU8() !== 0,
      redMax: q.readU16(),
      greenMax: q.readU16(),
      blueMax: q.readU16(),
      redShift: q.readU8(),
      greenShift: q.readU8(),
      blueShift: q.readU8(),
    };
    q.skip(3);
    q.skip(4);
    const name = decodeText(q.readView(nameLength));
    const init: ServerInit = { width, height, pixelFormat, name };
    if (this.tightServerInit) {
      q.skip(8);
      const read = (n: number) => Array.from({ length: n }, () => readTightCapability(q));
      init.tight = {
        serverMessages: read(counts[0]),
        clientMessages: read(counts[1]),
        encodings: read(counts[2]),
      };
    }
    this.state = 'done';
    return init;
  }
}
