// DES tests against known-answer vectors (FIPS 46-3 worked example and classic vectors).

import { describe, expect, it } from 'vitest';
import { Des, vncAuthResponse } from '../../../src/rfb/crypto/des';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('Des', () => {
  it.each([
    ['133457799bbcdff1', '0123456789abcdef', '85e813540f0ab405'],
    ['0e329232ea6d0d73', '8787878787878787', '0000000000000000'],
    ['0000000000000000', '0000000000000000', '8ca64de9c1b123a7'],
    ['ffffffffffffffff', 'ffffffffffffffff', '7359b2163e4edc58'],
  ])('key %s encrypts %s to %s and back', (key, plain, cipher) => {
    const des = new Des(hex(key));
    expect(toHex(des.encryptBlock(hex(plain)))).toBe(cipher);
    expect(toHex(des.decryptBlock(hex(cipher)))).toBe(plain);
  });

  it('rejects wrong sizes', () => {
    expect(() => new Des(new Uint8Array(7))).toThrow(RangeError);
    expect(() => new Des(new Uint8Array(8)).encryptBlock(new Uint8Array(9))).toThrow(RangeError);
  });
});

describe('vncAuthResponse', () => {
  // Computed with Python cryptography: DES-ECB, key bytes bit-reversed.
  it('matches an independent implementation', () => {
    const challenge = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(toHex(vncAuthResponse('e2epass', challenge))).toBe('a4201c3fb91bbadcccc7cb4a27c08bc6');
  });

  it('pads short passwords with zeros and cuts long ones at 8 bytes', () => {
    const challenge = hex('f0e1d2c3b4a5968778695a4b3c2d1e0f');
    expect(toHex(vncAuthResponse('abcdefghij', challenge))).toBe(
      '62f03588680099bb306e79dadef07cf6',
    );
    expect(vncAuthResponse('', challenge)).toEqual(vncAuthResponse('\0\0\0', challenge));
  });
});
