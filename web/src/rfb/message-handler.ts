// What the server-message reader reports, one method per message or pseudo-rectangle.

import type { Screen } from './messages';

export interface MessageHandler {
  /** Asked after each complete message: true stops reading until the handler resumes it. */
  shouldPause?(): boolean;
  /** A FramebufferUpdate has been fully read (all rectangles drawn or LastRect seen). */
  framebufferUpdateEnd(): void;
  /** DesktopSize pseudo-rectangle: the framebuffer is now width x height. */
  desktopSize(width: number, height: number): void;
  /** ExtendedDesktopSize: reason (x), status (y), new size and screen layout. */
  extendedDesktopSize(
    reason: number,
    status: number,
    width: number,
    height: number,
    screens: Screen[],
  ): void;
  /** Cursor pseudo-rectangle converted to RGBA (width*height*4 bytes); 0x0 hides the cursor. */
  cursor(hotX: number, hotY: number, width: number, height: number, rgba: Uint8Array): void;
  desktopName(name: string): void;
  /** The server accepts QEMU Extended Key Events. */
  qemuExtendedKeyEvent(): void;
  /** ExtendedMouseButtons: the server takes the extended PointerEvent (buttons 8 and up). */
  extendedMouseButtons(): void;
  /** QEMU LED state: bit 0 Scroll Lock, 1 Num Lock, 2 Caps Lock. */
  qemuLedState(state: number): void;
  bell(): void;
  /** Classic ServerCutText, decoded from Latin-1. */
  serverCutText(text: string): void;
  /** Extended clipboard message: flags and the bytes after them (caps sizes or a zlib stream). */
  extendedClipboard(flags: number, payload: Uint8Array): void;
  endOfContinuousUpdates(): void;
  serverFence(flags: number, payload: Uint8Array): void;
  /** XVP message from the server: its version and code (xvpInit: power actions available; xvpFail). */
  xvp?(version: number, code: number): void;
}
