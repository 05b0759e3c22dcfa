// VeNCrypt 0.2: negotiate the version and pick a subtype a browser can do (Plain, VncAuth, None).

import { ProtocolError } from '../../decoders/decoder';
import type { ByteQueue } from '../byte-queue';
import {
  maxSecurityTypes,
  securityTypeNone,
  securityTypeVncAuth,
  vencryptSubtypePlain,
  vencryptSubtypeTLSNone,
  vencryptSubtypeX509Ident,
} from '../constants';
import { writeU32 } from '../messages';
import { PlainAuthHandler } from './plain';
import type { AuthContext, AuthOutcome, SecurityHandler } from './security';
import { readU32List } from './security';
import { VncAuthHandler } from './vnc-auth';

const subtypeNames: Record<number, string> = {
  256: 'Plain',
  257: 'TLSNone',
  258: 'TLSVnc',
  259: 'TLSPlain',
  260: 'X509None',
  261: 'X509Vnc',
  262: 'X509Plain',
  263: 'TLSSASL',
  264: 'X509SASL',
  265: 'Ident',
  266: 'TLSIdent',
  267: 'X509Ident',
};

/** Subtypes in the order of the client's preference when the server offers several. */
const supportedSubtypes = [vencryptSubtypePlain, securityTypeVncAuth, securityTypeNone];

type State = 'version' | 'ack' | 'count' | 'subtypes' | 'chosen';

export class VeNCryptHandler implements SecurityHandler {
  readonly name = 'VeNCrypt';
  private state: State = 'version';
  private count = 0;

  constructor(private readonly ctx: AuthContext) {}

  process(q: ByteQueue): AuthOutcome | null {
    if (this.state === 'version') {
      if (q.length < 2) return null;
      const major = q.readU8();
      const minor = q.readU8();
      if (major === 0 && minor < 2) {
        throw new ProtocolError(
          `VeNCrypt: server version ${major}.${minor} is too old (0.2 needed)`,
        );
      }
      this.ctx.send(Uint8Array.of(0, 2));
      this.state = 'ack';
    }
    if (this.state === 'ack') {
      if (q.length < 1) return null;
      if (q.readU8() !== 0) throw new ProtocolError('VeNCrypt: server refused version 0.2');
      this.state = 'count';
    }
    if (this.state === 'count') {
      if (q.length < 1) return null;
      this.count = q.readU8();
      if (this.count === 0) throw new ProtocolError('VeNCrypt: server offers no subtypes');
      if (this.count > maxSecurityTypes) throw new ProtocolError('VeNCrypt: too many subtypes');
      this.state = 'subtypes';
    }
    if (this.state === 'subtypes') {
      const subtypes = readU32List(q, this.count);
      if (subtypes === null) return null;
      const chosen = supportedSubtypes.find((s) => subtypes.includes(s));
      if (chosen === undefined) {
        const names = subtypes.map((s) => subtypeNames[s] ?? String(s)).join(', ');
        const tlsOnly = subtypes.every(
          (s) => s >= vencryptSubtypeTLSNone && s <= vencryptSubtypeX509Ident,
        );
        throw new ProtocolError(
          `VeNCrypt: no usable subtype among ${names}` +
            (tlsOnly
              ? '; TLS subtypes cannot run inside a browser WebSocket (use wss:// to the gateway and allow Plain, VncAuth or None on the server)'
              : ''),
        );
      }
      this.ctx.send(writeU32(chosen));
      this.state = 'chosen';
      if (chosen === vencryptSubtypePlain)
        return { next: 'handler', handler: new PlainAuthHandler(this.ctx) };
      if (chosen === securityTypeVncAuth)
        return { next: 'handler', handler: new VncAuthHandler(this.ctx) };
      return { next: 'securityResult' }; // None inside VeNCrypt (3.8 only)
    }
    throw new ProtocolError('VeNCrypt: handler called after it finished');
  }
}
