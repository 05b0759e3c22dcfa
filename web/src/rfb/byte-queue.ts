// A growable FIFO of received bytes that protocol readers and decoders consume.
//
// Readers check `length` before reading: a decoder that lacks bytes returns
// "not finished" and is called again when more arrive, so no read here ever
// blocks or throws for want of data. Reading past the end is a programming
// error and throws RangeError.

/** Initial capacity; the buffer doubles (and compacts) as needed. */
const INITIAL_CAPACITY = 64 * 1024;

export class ByteQueue {
  private buf: Uint8Array = new Uint8Array(INITIAL_CAPACITY);
  private view: DataView = new DataView(this.buf.buffer);
  private start = 0;
  private end = 0;

  /** Number of unread bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /** Appends received bytes (copied). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.buf.length) this.makeRoom(chunk.length);
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  private makeRoom(extra: number): void {
    const unread = this.length;
    const needed = unread + extra;
    if (needed <= this.buf.length / 2) {
      // Plenty of room once the consumed prefix is dropped.
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      let cap = this.buf.length;
      while (cap < needed) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.start = 0;
    this.end = unread;
  }

  private need(n: number): void {
    if (n > this.length) {
      throw new RangeError(`ByteQueue: read of ${n} bytes with only ${this.length} available`);
    }
  }

  peekU8(offset = 0): number {
    this.need(offset + 1);
    return this.buf[this.start + offset];
  }
  peekU16(offset = 0): number {
    this.need(offset + 2);
    return this.view.getUint16(this.start + offset);
  }
  peekU32(offset = 0): number {
    this.need(offset + 4);
    return this.view.getUint32(this.start + offset);
  }

  readU8(): number {
    const v = this.peekU8();
    this.start += 1;
    return v;
  }
  /** Big-endian (network order), as everywhere in RFB. */
  readU16(): number {
    const v = this.peekU16();
    this.start += 2;
    return v;
  }
  readU32(): number {
    const v = this.peekU32();
    this.start += 4;
    return v;
  }
  readS32(): number {
    this.need(4);
    const v = this.view.getInt32(this.start);
    this.start += 4;
    return v;
  }

  /**
   * Returns the next n bytes as a view into the queue's storage, valid only
   * until the next push(): copy it (slice) if it must outlive that.
   */
  readView(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    return v;
  }

  /** Returns a copy of the next n bytes. */
  readBytes(n: number): Uint8Array {
    return this.readView(n).slice();
  }

  /** Returns a view of the next n bytes without consuming them (same lifetime as readView). */
  peekView(n: number, offset = 0): Uint8Array {
    this.need(offset + n);
    return this.buf.subarray(this.start + offset, this.start + offset + n);
  }

  skip(n: number): void {
    this.need(n);
    this.start += n;
  }

  clear(): void {
    this.start = this.end = 0;
  }
}
