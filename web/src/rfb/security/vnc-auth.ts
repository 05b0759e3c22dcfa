// VNC authentication: DES-encrypt the server's 16-byte challenge with the password.

import type { ByteQueue } from '../byte-queue';
import { vncAuthResponse } from '../crypto/des';
import type { AuthContext, AuthOutcome, SecurityHandler } from './security';

export class VncAuthHandler implements SecurityHandler {
  readonly name = 'VNC authentication';
  private asked = false;

  constructor(private readonly ctx: AuthContext) {}

  process(q: ByteQueue): AuthOutcome | null {
    if (q.length < 16) return null;
    const password = this.ctx.credentials().password;
    if (password === undefined) {
      if (!this.asked) {
        this.asked = true;
        this.ctx.requestCredentials(['password']);
      }
      return null;
    }
    this.ctx.send(vncAuthResponse(password, q.readView(16)));
    return { next: 'securityResult' };
  }
}
