// Pixel comparison for the client e2e tests: RGBA images compared pixel for pixel (or within a
// tolerance), and PNG files of both images and their difference for a person to look at.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

/** How many mismatching pixels a comparison lists in full. */
const LISTED_MISMATCHES = 10;

/**
 * Compares two RGBA images of the same size on R, G and B (alpha is ignored). Returns
 * { total, mismatched, maxDelta, meanDelta, first } where `mismatched` counts pixels with any
 * channel differing by more than `tolerance`, `maxDelta` and `meanDelta` are over all channels,
 * and `first` lists the first mismatches as { x, y, got: 'rrggbb', want: 'rrggbb' }.
 */
export function compareRgba(got, want, { tolerance = 0 } = {}) {
  if (got.width !== want.width || got.height !== want.height) {
    throw new Error(`sizes differ: ${got.width}x${got.height} vs ${want.width}x${want.height}`);
  }
  const hex = (d, i) =>
    [d[i], d[i + 1], d[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('');
  const total = got.width * got.height;
  const first = [];
  let mismatched = 0;
  let maxDelta = 0;
  let sumDelta = 0;
  for (let p = 0, i = 0; p < total; p++, i += 4) {
    let worst = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(got.rgba[i + c] - want.rgba[i + c]);
      sumDelta += d;
      if (d > worst) worst = d;
    }
    if (worst > maxDelta) maxDelta = worst;
    if (worst > tolerance) {
      mismatched++;
      if (first.length < LISTED_MISMATCHES) {
        first.push({
          x: p % got.width,
          y: Math.floor(p / got.width),
          got: hex(got.rgba, i),
          want: hex(want.rgba, i),
        });
      }
    }
  }
  return { total, mismatched, maxDelta, meanDelta: sumDelta / (total * 3), first };
}

/** An RGBA image as PNG bytes (8-bit RGB, no filter; small code, big files, fine for artifacts). */
export function encodePng({ width, height, rgba }) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0, o = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < width; x++, o += 3) {
      const i = (y * width + x) * 4;
      raw[o] = rgba[i];
      raw[o + 1] = rgba[i + 1];
      raw[o + 2] = rgba[i + 2];
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Writes `<prefix>-client.png`, `<prefix>-server.png` and `<prefix>-diff.png` (mismatching
 * pixels in magenta over a dimmed server image) into `dir`; returns the diff's path.
 */
export function writeComparisonImages(dir, prefix, got, want, { tolerance = 0 } = {}) {
  const diff = Buffer.alloc(want.rgba.length);
  for (let i = 0; i < diff.length; i += 4) {
    let worst = 0;
    for (let c = 0; c < 3; c++)
      worst = Math.max(worst, Math.abs(got.rgba[i + c] - want.rgba[i + c]));
    if (worst > tolerance) diff.set([255, 0, 255, 255], i);
    else for (let c = 0; c < 3; c++) diff[i + c] = want.rgba[i + c] >> 2;
  }
  writeFileSync(join(dir, `${prefix}-client.png`), encodePng(got));
  writeFileSync(join(dir, `${prefix}-server.png`), encodePng(want));
  const path = join(dir, `${prefix}-diff.png`);
  writeFileSync(path, encodePng({ width: want.width, height: want.height, rgba: diff }));
  return path;
}
