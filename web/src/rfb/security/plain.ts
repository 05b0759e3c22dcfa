// VeNCrypt Plain: send the username and password in the clear (U32 lengths, UTF-8).

import type { ByteQueue } from '../byte-queue';
import { writePlainCredentials } from '../messages';
import type { AuthContext, AuthOutcome, SecurityHandler } from './security';

export class PlainAuthHandler implements SecurityHandler {
  readonly name = 'VeNCrypt Plain';
  private asked = false;

  constructor(private readonly ctx: AuthContext) {}

  process(_q: ByteQueue): AuthOutcome | null {
    const { username, password } = this.ctx.credentials();
    if (username === undefined || password === undefined) {
      if (!this.asked) {
        this.asked = true;
        this.ctx.requestCredentials(['username', 'password']);
      }
      return null;
    }
    const enc = new TextEncoder();
    this.ctx.send(writePlainCredentials(enc.encode(username), enc.encode(password)));
    return { next: 'securityResult' };
  }
}
