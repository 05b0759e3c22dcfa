// CopyRect encoding (1): copies a rectangle the client already has from elsewhere in the framebuffer.

import type { DrawTarget } from '../display/draw-target';
import type { ByteQueue } from '../rfb/byte-queue';
import { checkRect } from './common';
import type { Decoder } from './decoder';
import { ProtocolError } from './decoder';

export class CopyRectDecoder implements Decoder {
  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    q: ByteQueue,
    target: DrawTarget,
  ): boolean {
    if (q.length < 4) return false;
    checkRect('CopyRect', x, y, w, h, target);
    const srcX = q.readU16();
    const srcY = q.readU16();
    if (srcX + w > target.width || srcY + h > target.height) {
      throw new ProtocolError(
        `CopyRect source ${w}x${h} at (${srcX}, ${srcY}) lies outside the ` +
          `${target.width}x${target.height} framebuffer`,
      );
    }
    if (w > 0 && h > 0) target.copyRect(srcX, srcY, x, y, w, h);
    return true;
  }
}
