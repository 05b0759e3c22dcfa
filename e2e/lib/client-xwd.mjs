// X Window Dump (XWD) images for the client e2e tests: parse what `xwd -root` writes (the X
// server's own framebuffer) and write true-colour images for `xwud` to show on a test desktop.

/** Size of the fixed XWD header: 25 CARD32 fields (version 7). */
const HEADER_FIELDS = 25;
const XWD_FILE_VERSION = 7;
const Z_PIXMAP = 2;
const LSB_FIRST = 0;
const TRUE_COLOR = 4;

/** The lowest set bit of `mask` as a shift, and the mask's width in bits. */
function maskShape(mask) {
  if (mask === 0) throw new Error('XWD colour mask is 0');
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while ((mask >>> (shift + bits)) & 1) bits++;
  return { shift, bits };
}

/**
 * Parses an XWD file (ZPixmap, 24 or 32 bits per pixel, true colour; either pixel byte order).
 * Returns { width, height, rgba } with `rgba` a Buffer of width*height*4 bytes (alpha 255).
 * Throws on any other kind of dump, naming what it found.
 */
export function parseXwd(buf) {
  if (buf.length < HEADER_FIELDS * 4) throw new Error(`XWD file too short (${buf.length} bytes)`);
  const f = (i) => buf.readUInt32BE(i * 4); // xwd writes its header big-endian
  const [headerSize, version, format, , width, height] = [0, 1, 2, 3, 4, 5].map(f);
  const byteOrder = f(7);
  const bitsPerPixel = f(11);
  const bytesPerLine = f(12);
  const [redMask, greenMask, blueMask] = [f(14), f(15), f(16)];
  const ncolors = f(19);
  if (version !== XWD_FILE_VERSION) throw new Error(`XWD version ${version}, not 7`);
  if (format !== Z_PIXMAP) throw new Error(`XWD pixmap format ${format}, not ZPixmap`);
  if (bitsPerPixel !== 24 && bitsPerPixel !== 32) {
    throw new Error(`XWD with ${bitsPerPixel} bits per pixel`);
  }
  const data = headerSize + ncolors * 12; // XWDColor: pixel, r, g, b, flags, pad
  if (buf.length < data + height * bytesPerLine) {
    throw new Error(`XWD file truncated: ${buf.length} bytes for ${width}x${height}`);
  }
  const bytes = bitsPerPixel / 8;
  const channels = [redMask, greenMask, blueMask].map(maskShape);
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    let s = data + y * bytesPerLine;
    let d = y * width * 4;
    for (let x = 0; x < width; x++, s += bytes, d += 4) {
      let v = 0;
      if (byteOrder === LSB_FIRST) {
        for (let b = bytes - 1; b >= 0; b--) v = v * 256 + buf[s + b];
      } else {
        for (let b = 0; b < bytes; b++) v = v * 256 + buf[s + b];
      }
      for (let c = 0; c < 3; c++) {
        const { shift, bits } = channels[c];
        const raw = Math.floor(v / 2 ** shift) & ((1 << bits) - 1);
        rgba[d + c] = bits === 8 ? raw : Math.round((raw * 255) / ((1 << bits) - 1));
      }
      rgba[d + 3] = 255;
    }
  }
  return { width, height, rgba };
}

/**
 * Writes an RGBA image as an XWD file (depth 24, 32 bits per pixel, LSBFirst, TrueColor masks
 * 0xff0000/0xff00/0xff), which `xwud -in FILE` shows in a window of its own.
 */
export function writeXwd({ width, height, rgba }, name = 'e2e') {
  const nameBytes = Buffer.from(`${name}\0`, 'latin1');
  const headerSize = HEADER_FIELDS * 4 + nameBytes.length;
  const bytesPerLine = width * 4;
  const out = Buffer.alloc(headerSize + height * bytesPerLine);
  const fields = [
    headerSize,
    XWD_FILE_VERSION,
    Z_PIXMAP,
    24, // depth
    width,
    height,
    0, // xoffset
    LSB_FIRST, // byte order
    32, // bitmap unit
    LSB_FIRST, // bitmap bit order
    32, // bitmap pad
    32, // bits per pixel
    bytesPerLine,
    TRUE_COLOR,
    0xff0000,
    0x00ff00,
    0x0000ff,
    8, // bits per rgb
    256, // colormap entries
    0, // ncolors: none follow
    width,
    height,
    0,
    0,
    0,
  ];
  fields.forEach((v, i) => out.writeUInt32BE(v, i * 4));
  nameBytes.copy(out, HEADER_FIELDS * 4);
  for (let i = 0, d = headerSize; i < width * height; i++, d += 4) {
    out[d] = rgba[i * 4 + 2]; // B, G, R, 0: 0x00RRGGBB little-endian
    out[d + 1] = rgba[i * 4 + 1];
    out[d + 2] = rgba[i * 4];
  }
  return out;
}
