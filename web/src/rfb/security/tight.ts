// Tight security type: accept the NOTUNNEL tunnel, then pick the None or VNC sub-authentication.

import { ProtocolError } from '../../decoders/decoder';
import type { ByteQueue } from '../byte-queue';
import { maxSecurityTypes } from '../constants';
import { writeU32 } from '../messages';
import type { AuthContext, AuthOutcome, SecurityHandler } from './security';
import { latin1String, noneOutcome } from './security';
import { VncAuthHandler } from './vnc-auth';

/** A Tight CAPABILITY: code, 4-byte vendor, 8-byte signature. */
export interface TightCapability {
  code: number;
  vendor: string;
  signature: string;
}

export const tightCapabilitySize = 16;
const tightAuthNone = 1;
const tightAuthVnc = 2;

/** Reads one 16-byte capability (the caller has checked the length). */
export function readTightCapability(q: ByteQueue): TightCapability {
  const code = q.readS32();
  const vendor = latin1String(q.readView(4));
  const signature = latin1String(q.readView(8));
  return { code, vendor, signature };
}

const is = (c: TightCapability, code: number, vendor: string, signature: string): boolean =>
  c.code === code && c.vendor === vendor && c.signature === signature;

type State = 'tunnelCount' | 'tunnels' | 'authCount' | 'auths' | 'done';

export class TightHandler implements SecurityHandler {
  readonly name = 'Tight';
  private state: State = 'tunnelCount';
  private count = 0;

  constructor(private readonly ctx: AuthContext) {}

  process(q: ByteQueue): AuthOutcome | null {
    if (this.state === 'tunnelCount') {
      if (q.length < 4) return null;
      this.count = q.readU32();
      if (this.count > maxSecurityTypes) throw new ProtocolError('Tight: too many tunnel types');
      this.ctx.useTightServerInit();
      this.state = this.count > 0 ? 'tunnels' : 'authCount';
    }
    if (this.state === 'tunnels') {
      if (q.length < this.count * tightCapabilitySize) return null;
      const tunnels = Array.from({ length: this.count }, () => readTightCapability(q));
      if (!tunnels.some((t) => is(t, 0, 'TGHT', 'NOTUNNEL'))) {
        const names = tunnels.map((t) => `${t.vendor}:${t.signature}`).join(', ');
        throw new ProtocolError(
          `Tight: the server requires a tunnel (${names}) and does not offer NOTUNNEL`,
        );
      }
      this.ctx.send(writeU32(0));
      this.state = 'authCount';
    }
    if (this.state === 'authCount') {
      if (q.length < 4) return null;
      this.count = q.readU32();
      if (this.count > maxSecurityTypes)
        throw new ProtocolError('Tight: too many authentication types');
      if (this.count === 0) {
        this.state = 'done';
        return noneOutcome(this.ctx);
      }
      this.state = 'auths';
    }
    if (this.state === 'auths') {
      if (q.length < this.count * tightCapabilitySize) return null;
      const auths = Array.from({ length: this.count }, () => readTightCapability(q));
      this.state = 'done';
      for (const a of auths) {
        if (is(a, tightAuthNone, 'STDV', 'NOAUTH__')) {
          this.ctx.send(writeU32(tightAuthNone));
          return noneOutcome(this.ctx);
        }
        if (is(a, tightAuthVnc, 'STDV', 'VNCAUTH_')) {
          this.ctx.send(writeU32(tightAuthVnc));
          return { next: 'handler', handler: new VncAuthHandler(this.ctx) };
        }
      }
      const names = auths.map((a) => `${a.vendor}:${a.signature}`).join(', ');
      throw new ProtocolError(`Tight: no supported authentication type among ${names}`);
    }
    throw new ProtocolError('Tight: handler called after it finished');
  }
}
