/* The web client's raw-deflate inflate over Debian's zlib, compiled to WebAssembly by scripts/build-wasm.sh. */

#include <stdlib.h>

#include "zlib.h"

/* Raw deflate with the largest window: the client reads the 2-byte zlib header itself. */
#define RAW_DEFLATE_WINDOW_BITS (-15)

/*
 * Returns a new raw-deflate stream with its 32 KiB window, or NULL when memory
 * runs out. zlib would allocate the window on the first output, where running
 * out of memory would fail the stream halfway: inflating one stored byte
 * allocates it now, and inflateReset() keeps it. vg_inflate_free() gives all
 * of it back.
 */
z_stream *vg_inflate_new(void) {
  /* A stored block (BFINAL 0, BTYPE 00) of one byte: LEN 1, NLEN ~1, the byte. */
  static const unsigned char one_stored_byte[] = {0x00, 0x01, 0x00, 0xfe, 0xff, 0x00};
  unsigned char out[1];
  z_stream *strm = calloc(1, sizeof *strm);
  if (strm == NULL) return NULL;
  if (inflateInit2(strm, RAW_DEFLATE_WINDOW_BITS) != Z_OK) {
    free(strm);
    return NULL;
  }
  strm->next_in = (z_const Bytef *)one_stored_byte;
  strm->avail_in = sizeof one_stored_byte;
  strm->next_out = out;
  strm->avail_out = sizeof out;
  if (inflate(strm, Z_SYNC_FLUSH) != Z_OK || inflateReset(strm) != Z_OK) {
    inflateEnd(strm);
    free(strm);
    return NULL;
  }
  return strm;
}

/*
 * Inflates in[0, in_len) into out[0, out_len) and returns zlib's code: Z_OK or
 * Z_BUF_ERROR (no progress possible) to go on, Z_STREAM_END after the last
 * block, Z_DATA_ERROR on corrupt data (vg_inflate_msg() says why). It
 * allocates nothing, so never fails for want of memory.
 * vg_inflate_avail_in() and vg_inflate_avail_out() then tell what is left of
 * each buffer. Bytes left in `in` are not kept: the caller passes them again.
 */
int vg_inflate(z_stream *strm, const unsigned char *in, unsigned in_len, unsigned char *out,
               unsigned out_len) {
  strm->next_in = (z_const Bytef *)in;
  strm->avail_in = in_len;
  strm->next_out = out;
  strm->avail_out = out_len;
  return inflate(strm, Z_SYNC_FLUSH);
}

unsigned vg_inflate_avail_in(const z_stream *strm) { return strm->avail_in; }

unsigned vg_inflate_avail_out(const z_stream *strm) { return strm->avail_out; }

/* zlib's message for the last error, or NULL. */
const char *vg_inflate_msg(const z_stream *strm) { return strm->msg; }

void vg_inflate_free(z_stream *strm) {
  if (strm == NULL) return;
  inflateEnd(strm);
  free(strm);
}

/* Buffers the caller fills and reads through the exported memory. */
void *vg_alloc(unsigned size) { return malloc(size); }

void vg_free(void *p) { free(p); }
