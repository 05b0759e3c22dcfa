// The contract between the RFB message reader and one encoding's decoder.

import type { ByteQueue } from '../rfb/byte-queue';
import type { DrawTarget } from '../display/draw-target';

/** A protocol error in the data a server sent; it ends the session with this message. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export interface Decoder {
  /**
   * Decodes one rectangle of a FramebufferUpdate whose header (x, y, w, h,
   * encoding) was already read. Consumes bytes from `q` only as far as it can
   * make progress and keeps its resume state in fields, so it can be called
   * again with the same rectangle when more bytes arrive.
   *
   * Returns true when the rectangle is finished (and the decoder is ready for
   * the next one), false when it needs more bytes. Throws ProtocolError on
   * malformed data (bad subencoding, a rectangle outside the framebuffer, a
   * length over the limits, corrupt compressed data).
   */
  decodeRect(x: number, y: number, w: number, h: number, q: ByteQueue, target: DrawTarget): boolean;

  /** Forgets resume state and per-connection state (zlib streams) for a new connection. */
  reset?(): void;
}
