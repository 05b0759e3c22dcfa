// Tests for the persistent zlib stream: header checks, byte-at-a-time input, bounded output, the end of a stream, and its two engines (zlib in WebAssembly, pako).

/// <reference types="node" />
import { existsSync, readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import inflateWasmBytes from '../../wasm-out/inflate.wasm';
import { ProtocolError } from '../../src/decoders/decoder';
import { ExactInflater, InflateStream } from '../../src/decoders/inflate';
import { WasmInflate, bundledWasmInflate } from '../../src/decoders/inflate-wasm';
import { DeflateStream, concat, noiseImage, rng } from './helpers';

const engines = {
  wasm: (name: string) => new InflateStream(name, bundledWasmInflate()),
  pako: (name: string) => new InflateStream(name, null),
};

describe.each(Object.entries(engines))('InflateStream with %s', (engine, make) => {
  it('runs the engine it was given', () => {
    expect(make('t').engine).toBe(engine);
  });

  it('continues one stream across chunks fed a byte at a time', async () => {
    const ds = new DeflateStream();
    const a = noiseImage(10, 10, 1).rgb;
    const za = await ds.chunk(a);
    const zb = await ds.chunk(a); // mostly back-references into the first chunk
    expect(zb.length).toBeLessThan(za.length / 4);
    const s = make('test');
    const out = new Uint8Array(600);
    let pos = 0;
    for (const byte of concat(za, zb)) pos = s.inflate(Uint8Array.of(byte), out, pos, 600);
    expect(pos).toBe(600);
    expect(out.subarray(0, 300)).toEqual(a);
    expect(out.subarray(300)).toEqual(a);
  });

  it('stops at the end it is given and reports the input left', async () => {
    const z = await new DeflateStream().chunk(new Uint8Array(1000).fill(7));
    const s = make('test');
    const out = new Uint8Array(1000);
    expect(s.inflate(z, out, 0, 100)).toBe(100);
    expect(s.remainingInput).toBeGreaterThan(0);
  });

  it('rejects a bad header, a preset dictionary and corrupt blocks', () => {
    const out = new Uint8Array(10);
    expect(() => make('t').inflate(Uint8Array.of(0x79, 0x9c), out, 0, 10)).toThrow(
      new ProtocolError('t: corrupt zlib data (bad zlib header)'),
    );
    expect(() => make('t').inflate(Uint8Array.of(0x78, 0x9d), out, 0, 10)).toThrow(
      new ProtocolError('t: corrupt zlib data (bad zlib header)'),
    );
    expect(() => make('t').inflate(Uint8Array.of(0x78, 0xbb), out, 0, 10)).toThrow(
      new ProtocolError('t: corrupt zlib data (preset dictionary)'),
    );
    expect(() => make('t').inflate(Uint8Array.of(0x78, 0x9c, 0xff), out, 0, 10)).toThrow(
      /^t: corrupt zlib data \(invalid block type\)$/,
    );
  });

  it('accepts a finished stream with its checksum, and nothing after it', () => {
    const z = new Uint8Array(zlib.deflateSync(Buffer.from('hello')));
    const s = make('t');
    const out = new Uint8Array(5);
    expect(s.inflate(z, out, 0, 5)).toBe(5);
    expect(new TextDecoder().decode(out)).toBe('hello');
    expect(() => s.inflate(Uint8Array.of(1), out, 5, 5)).toThrow(
      new ProtocolError('t: data after the end of the zlib stream'),
    );
  });

  it('starts afresh after reset()', () => {
    const s = make('t');
    const out = new Uint8Array(5);
    s.inflate(new Uint8Array(zlib.deflateSync(Buffer.from('abcde'))), out, 0, 5);
    s.reset();
    expect(s.inflate(new Uint8Array(zlib.deflateSync(Buffer.from('vwxyz'))), out, 0, 5)).toBe(5);
    expect(new TextDecoder().decode(out)).toBe('vwxyz');
  });
});

/**
 * Inflates the zlib stream `z` with `s`, fed `inStep` bytes at a time into
 * output windows of `outStep` bytes, and returns all it produced (at most
 * `size` bytes).
 */
function inflateAll(
  s: InflateStream,
  z: Uint8Array,
  inStep: number,
  outStep: number,
  size: number,
): Uint8Array {
  const out = new Uint8Array(size);
  let pos = 0;
  const window = () => Math.min(size, pos + outStep);
  for (let i = 0; i < z.length; i += inStep) {
    let input = z.subarray(i, Math.min(z.length, i + inStep));
    for (;;) {
      pos = s.inflate(input, out, pos, window());
      if (s.remainingInput === 0) break;
      if (pos === size) throw new Error('more output than expected');
      input = input.subarray(input.length - s.remainingInput);
    }
  }
  // Output the stream decoded but had no room for in the last window.
  for (let last = -1; last !== pos;) {
    last = pos;
    pos = s.inflate(new Uint8Array(0), out, pos, window());
  }
  return out.subarray(0, pos);
}

/** Compares byte arrays of any size quickly (toEqual walks big ones slowly), naming the first difference. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  const same = Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(
    Buffer.from(expected.buffer, expected.byteOffset, expected.length),
  );
  if (!same) {
    const i = actual.findIndex((b, k) => b !== expected[k]);
    expect(`byte ${i}: ${actual[i]}`).toBe(`byte ${i}: ${expected[i]}`);
  }
}

/** Pseudo-random data with runs, noise and repeats of earlier bytes, in `parts` pieces. */
function mixedData(seed: number, parts: number, partBytes: number): Uint8Array[] {
  const r = rng(seed);
  const all: number[] = [];
  const out: Uint8Array[] = [];
  for (let p = 0; p < parts; p++) {
    const part: number[] = [];
    while (part.length < partBytes) {
      const kind = Math.floor(r() * 3);
      const n = 1 + Math.floor(r() * 300);
      for (let i = 0; i < n; i++) {
        if (kind === 0) part.push(Math.floor(r() * 256));
        else if (kind === 1) part.push(n & 0xff);
        else part.push(all.length > 0 ? all[(all.length - 1000 + i) % all.length] : i);
      }
      all.push(...part.slice(part.length - n));
    }
    out.push(Uint8Array.from(part));
  }
  return out;
}

/** The ZRLE stream of the decode benchmark's recording, if one was recorded (bench/decode/README.md). */
const recording = new URL('../../../bench/decode/recordings/zrle.bin', import.meta.url).pathname;

describe('InflateStream engines', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('use zlib in WebAssembly by default', () => {
    expect(bundledWasmInflate()).not.toBeNull();
    expect(new InflateStream('t').engine).toBe('wasm');
  });

  it('fall back to pako when WebAssembly is missing or refuses the module', () => {
    expect(WasmInflate.load(Uint8Array.of(0x00, 0x61, 0x73, 0x6d))).toBeNull();
    expect(WasmInflate.load(inflateWasmBytes.subarray(0, 100))).toBeNull();
    vi.stubGlobal('WebAssembly', undefined);
    const none = WasmInflate.load(inflateWasmBytes);
    expect(none).toBeNull();
    const s = new InflateStream('t', none);
    const out = new Uint8Array(5);
    expect(s.inflate(new Uint8Array(zlib.deflateSync(Buffer.from('hello'))), out, 0, 5)).toBe(5);
    expect(new TextDecoder().decode(out)).toBe('hello');
    expect(s.engine).toBe('pako');
  });

  it.each([1, 2, 3, 4])(
    'inflate the same random stream (seed %i) whatever the pieces',
    async (seed) => {
      const parts = mixedData(seed, 12, 3000);
      const ds = new DeflateStream();
      const pieces: Uint8Array[] = [];
      for (const p of parts) pieces.push(await ds.chunk(p));
      const z = concat(...pieces);
      const data = concat(...parts);
      for (const [inStep, outStep] of [
        [1, data.length],
        [z.length, 1],
        [7, 13],
        [z.length, data.length],
      ]) {
        for (const make of Object.values(engines)) {
          expectSameBytes(inflateAll(make('t'), z, inStep, outStep, data.length), data);
        }
      }
    },
  );

  it('inflate the same finished streams at every level, and what comes after them', () => {
    const data = concat(...mixedData(9, 4, 20000));
    for (const level of [0, 1, 6, 9]) {
      const z = new Uint8Array(zlib.deflateSync(data, { level }));
      for (const make of Object.values(engines)) {
        expectSameBytes(inflateAll(make('t'), z, 1000, 777, data.length), data);
        expect(() =>
          make('t').inflate(concat(z, [0]), new Uint8Array(data.length), 0, data.length),
        ).toThrow(new ProtocolError('t: data after the end of the zlib stream'));
      }
    }
  });

  it('inflate more than their staging buffers hold in one call', async () => {
    // 600 KB of noise (more input than one copy into the module) then 3 MB of
    // runs (more output than one copy out of it).
    const noise = noiseImage(400, 500, 3).rgb;
    const runs = new Uint8Array(3 << 20).map((_, i) => (i >> 12) & 0xff);
    const ds = new DeflateStream();
    const z = concat(await ds.chunk(noise), await ds.chunk(runs));
    const data = concat(noise, runs);
    for (const make of Object.values(engines)) {
      expectSameBytes(inflateAll(make('t'), z, z.length, data.length, data.length), data);
    }
  });

  it.skipIf(!existsSync(recording))(
    'inflate a recorded ZRLE stream as node zlib does',
    async () => {
      const lib = '../../../bench/decode/lib/zrle-stream.mjs';
      const { zrleChunks } = (await import(lib)) as {
        zrleChunks: (file: string) => Uint8Array[];
      };
      const chunks = zrleChunks(recording);
      const z = concat(...chunks);
      const expected = new Uint8Array(
        zlib.inflateSync(z, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
      );
      for (const make of Object.values(engines)) {
        expectSameBytes(
          inflateAll(make('t'), z, 65536, expected.length, expected.length),
          expected,
        );
        // A byte at a time through the first 200 KB.
        const head = z.subarray(0, 200_000);
        const got = inflateAll(make('t'), head, 1, expected.length, expected.length);
        expectSameBytes(got, expected.subarray(0, got.length));
      }
    },
    60_000,
  );

  it('give memory back on reset(), and take pako for a stream the module has no room for', () => {
    const module = WasmInflate.load(inflateWasmBytes)!;
    const z = new Uint8Array(zlib.deflateSync(noiseImage(100, 100, 5).rgb));
    const use = (s: InflateStream) => s.inflate(z, new Uint8Array(30000), 0, 30000);
    let peak = 0;
    for (let round = 0; round < 4; round++) {
      const streams = Array.from({ length: 100 }, () => new InflateStream('t', module));
      for (const s of streams) expect(use(s)).toBe(30000);
      if (round === 0) peak = module.memoryBytes;
      expect(module.memoryBytes).toBe(peak);
      for (const s of streams) s.reset();
    }
    const streams: InflateStream[] = [];
    while (streams.length < 1000 && (streams.length === 0 || streams.at(-1)!.engine === 'wasm')) {
      streams.push(new InflateStream('t', module));
    }
    const last = streams.at(-1)!;
    expect(last.engine).toBe('pako');
    expect(use(last)).toBe(30000);
    expect(module.memoryBytes).toBeLessThanOrEqual(16 << 20);
    for (const s of streams) s.reset();
    expect(new InflateStream('t', module).engine).toBe('wasm');
  });
});

describe('ExactInflater', () => {
  it('refuses a compressed length out of proportion to the output before reading it', () => {
    expect(() => new ExactInflater('t').begin(3000, 100)).toThrow(
      new ProtocolError('t: compressed length 3000 is too large for 100 bytes of pixel data'),
    );
  });
});
