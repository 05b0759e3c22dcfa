// vncgate's browser VNC client: the public module.

export { RFB, rfbButtonMask } from './api/rfb';
export type { FramebufferImage, RfbEventName, RfbOptions } from './api/rfb';
export { keysymFromChar, keysymFromKey } from './input/keysym';
export { scancodeFromCode } from './input/scancodes';
export type { ClipboardAccess } from './input/clipboard';
export type { Capabilities } from './rfb/session';
export type { Credentials, CredentialType } from './rfb/security/security';
