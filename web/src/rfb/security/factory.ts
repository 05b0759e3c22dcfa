// Maps a security type number to its handler, and picks the type to use from the server's list.

import {
  securityTypeNone,
  securityTypeRA2ne,
  securityTypeRA2ne_256,
  securityTypeTight,
  securityTypeVeNCrypt,
  securityTypeVncAuth,
} from '../constants';
import { Ra2Handler } from './ra2';
import type { AuthContext, AuthOutcome, SecurityHandler } from './security';
import { noneOutcome } from './security';
import { TightHandler } from './tight';
import { VeNCryptHandler } from './vencrypt';
import { VncAuthHandler } from './vnc-auth';

export const securityTypeNames: Record<number, string> = {
  0: 'Invalid',
  1: 'None',
  2: 'VncAuth',
  5: 'RA2',
  6: 'RA2ne',
  13: 'RA2r',
  16: 'Tight',
  19: 'VeNCrypt',
  20: 'SASL',
  22: 'XVP',
  30: 'ARD',
  113: 'MSLogonII',
  129: 'RA2_256',
  130: 'RA2ne_256',
  133: 'RA2r_256',
};

/** Types the client can use; RA2ne needs Web Crypto. */
export function isSupportedSecurityType(type: number, ctx: AuthContext): boolean {
  switch (type) {
    case securityTypeNone:
    case securityTypeVncAuth:
    case securityTypeTight:
    case securityTypeVeNCrypt:
      return true;
    case securityTypeRA2ne:
    case securityTypeRA2ne_256:
      return ctx.generateRsaKey !== undefined;
    default:
      return false;
  }
}

/**
 * Picks a type from the server's list (in the server's order of preference)
 * among those the client supports, except that VeNCrypt comes last: its
 * subtypes may all need TLS, which the client cannot do, and choosing it
 * cannot be undone. Returns undefined if none fits.
 */
export function chooseSecurityType(
  offered: readonly number[],
  ctx: AuthContext,
): number | undefined {
  const usable = offered.filter((t) => isSupportedSecurityType(t, ctx));
  return usable.find((t) => t !== securityTypeVeNCrypt) ?? usable[0];
}

/** The first step after choosing `type`: a handler, or straight on for None. */
export function startSecurity(type: number, ctx: AuthContext): AuthOutcome {
  const handler = (h: SecurityHandler): AuthOutcome => ({ next: 'handler', handler: h });
  switch (type) {
    case securityTypeNone:
      return noneOutcome(ctx);
    case securityTypeVncAuth:
      return handler(new VncAuthHandler(ctx));
    case securityTypeTight:
      return handler(new TightHandler(ctx));
    case securityTypeVeNCrypt:
      return handler(new VeNCryptHandler(ctx));
    case securityTypeRA2ne:
      return handler(new Ra2Handler(ctx, 128));
    case securityTypeRA2ne_256:
      return handler(new Ra2Handler(ctx, 256));
    default:
      throw new Error(`unsupported security type ${type}`);
  }
}
