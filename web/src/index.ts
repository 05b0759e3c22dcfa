// vncgate's browser VNC client: the public module.

export { RFB, rfbButtonMask } from './api/rfb';
export type { FramebufferImage, RfbEventName, RfbOptions } from './api/rfb';
export { keysymFromKey, scancodeFromCode } from './api/keysym';
export type { Capabilities } from './rfb/session';
export type { Credentials, CredentialType } from './rfb/security/security';
