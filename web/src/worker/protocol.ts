// Typed messages between the page's main thread (the RFB API) and the client core (in a worker or not).

import type { Capabilities } from '../rfb/session';
import type { CredentialType, Credentials, ServerIdentity } from '../rfb/security/security';

export interface ConnectOptions {
  url: string;
  protocols: string[];
  shared: boolean;
  credentials?: Credentials;
  qualityLevel: number;
  compressionLevel: number;
  /** Rectangle encodings to announce (default: all), see SessionOptions. */
  encodings?: number[];
  /** Announce a JPEG quality level (default true). */
  jpeg?: boolean;
}

/** Main thread to client core. */
export type ToCore =
  | ({ type: 'connect'; canvas: OffscreenCanvas | HTMLCanvasElement } & ConnectOptions)
  | { type: 'credentials'; credentials: Credentials }
  /** The answer to `serververification`. */
  | { type: 'approveServer' }
  | { type: 'rejectServer' }
  | { type: 'key'; keysym: number; code: number; down: boolean }
  | { type: 'pointer'; x: number; y: number; mask: number }
  | { type: 'clipboard'; text: string }
  | { type: 'setDesktopSize'; width: number; height: number }
  | { type: 'quality'; qualityLevel: number; compressionLevel: number }
  /** An XVP power action: 2 shutdown, 3 reboot, 4 reset. */
  | { type: 'xvp'; code: number }
  | { type: 'capture'; id: number }
  | { type: 'rectangleCounts'; id: number }
  | { type: 'disconnect' };

/** Client core to main thread. */
export type FromCore =
  | { type: 'connect' }
  | { type: 'disconnect'; clean: boolean; reason?: string }
  | { type: 'credentialsrequired'; types: CredentialType[] }
  | { type: 'serververification'; identity: ServerIdentity }
  | { type: 'securityfailure'; status: number; reason?: string }
  | { type: 'clipboard'; text: string }
  | { type: 'bell' }
  | { type: 'desktopname'; name: string }
  | { type: 'capabilities'; capabilities: Capabilities }
  | { type: 'resize'; width: number; height: number }
  | { type: 'cursor'; hotX: number; hotY: number; width: number; height: number; rgba: Uint8Array }
  | { type: 'ledstate'; state: number }
  | { type: 'capture'; id: number; width: number; height: number; rgba: Uint8ClampedArray | null }
  | { type: 'rectangleCounts'; id: number; counts: Map<number, number> };
