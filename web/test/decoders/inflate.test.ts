// Tests for the persistent zlib stream: header checks, byte-at-a-time input, bounded output, and the end of a stream.

/// <reference types="node" />
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/decoders/decoder';
import { ExactInflater, InflateStream } from '../../src/decoders/inflate';
import { DeflateStream, concat, noiseImage } from './helpers';

describe('InflateStream', () => {
  it('continues one stream across chunks fed a byte at a time', async () => {
    const ds = new DeflateStream();
    const a = noiseImage(10, 10, 1).rgb;
    const za = await ds.chunk(a);
    const zb = await ds.chunk(a); // mostly back-references into the first chunk
    expect(zb.length).toBeLessThan(za.length / 4);
    const s = new InflateStream('test');
    const out = new Uint8Array(600);
    let pos = 0;
    for (const byte of concat(za, zb)) pos = s.inflate(Uint8Array.of(byte), out, pos, 600);
    expect(pos).toBe(600);
    expect(out.subarray(0, 300)).toEqual(a);
    expect(out.subarray(300)).toEqual(a);
  });

  it('stops at the end it is given and reports the input left', async () => {
    const z = await new DeflateStream().chunk(new Uint8Array(1000).fill(7));
    const s = new InflateStream('test');
    const out = new Uint8Array(1000);
    expect(s.inflate(z, out, 0, 100)).toBe(100);
    expect(s.remainingInput).toBeGreaterThan(0);
  });

  it('rejects a bad header, a preset dictionary and corrupt blocks', () => {
    const out = new Uint8Array(10);
    expect(() => new InflateStream('t').inflate(Uint8Array.of(0x79, 0x9c), out, 0, 10)).toThrow(
      new ProtocolError('t: corrupt zlib data (bad zlib header)'),
    );
    expect(() => new InflateStream('t').inflate(Uint8Array.of(0x78, 0x9d), out, 0, 10)).toThrow(
      new ProtocolError('t: corrupt zlib data (bad zlib header)'),
    );
    expect(() => new InflateStream('t').inflate(Uint8Array.of(0x78, 0xbb), out, 0, 10)).toThrow(
      new ProtocolError('t: corrupt zlib data (preset dictionary)'),
    );
    expect(() =>
      new InflateStream('t').inflate(Uint8Array.of(0x78, 0x9c, 0xff), out, 0, 10),
    ).toThrow(/^t: corrupt zlib data \(invalid block type\)$/);
  });

  it('accepts a finished stream with its checksum, and nothing after it', () => {
    const z = new Uint8Array(zlib.deflateSync(Buffer.from('hello')));
    const s = new InflateStream('t');
    const out = new Uint8Array(5);
    expect(s.inflate(z, out, 0, 5)).toBe(5);
    expect(new TextDecoder().decode(out)).toBe('hello');
    expect(() => s.inflate(Uint8Array.of(1), out, 5, 5)).toThrow(
      new ProtocolError('t: data after the end of the zlib stream'),
    );
  });

  it('starts afresh after reset()', () => {
    const s = new InflateStream('t');
    const out = new Uint8Array(5);
    s.inflate(new Uint8Array(zlib.deflateSync(Buffer.from('abcde'))), out, 0, 5);
    s.reset();
    expect(s.inflate(new Uint8Array(zlib.deflateSync(Buffer.from('vwxyz'))), out, 0, 5)).toBe(5);
    expect(new TextDecoder().decode(out)).toBe('vwxyz');
  });
});

describe('ExactInflater', () => {
  it('refuses a compressed length out of proportion to the output before reading it', () => {
    expect(() => new ExactInflater('t').begin(3000, 100)).toThrow(
      new ProtocolError('t: compressed length 3000 is too large for 100 bytes of pixel data'),
    );
  });
});
