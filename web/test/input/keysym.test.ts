// Keyboard mapping and button mask tests.

import { describe, expect, it } from 'vitest';
import { keysymFromKey, scancodeFromCode } from '../../src/api/keysym';
import { rfbButtonMask } from '../../src/api/rfb';

describe('keysymFromKey', () => {
  it.each([
    ['a', 0, 0x61],
    ['A', 0, 0x41],
    ['~', 0, 0x7e],
    ['é', 0, 0xe9],
    ['€', 0, 0x010020ac],
    ['Enter', 0, 0xff0d],
    ['Shift', 1, 0xffe1],
    ['Shift', 2, 0xffe2],
    ['Control', 2, 0xffe4],
    ['F1', 0, 0xffbe],
    ['F12', 0, 0xffc9],
    ['Unidentified', 0, 0],
  ])('%j at location %i is %i', (key, location, keysym) => {
    expect(keysymFromKey(key, location)).toBe(keysym);
  });
});

describe('scancodeFromCode', () => {
  it('maps codes to XT scancodes with 0xe0 folded into bit 7', () => {
    expect(scancodeFromCode('KeyA')).toBe(0x1e);
    expect(scancodeFromCode('ArrowRight')).toBe(0xcd);
    expect(scancodeFromCode('PrintScreen')).toBe(0x54);
    expect(scancodeFromCode('Pause')).toBe(0xc6);
    expect(scancodeFromCode('Nope')).toBe(0);
    expect(scancodeFromCode(null)).toBe(0);
  });
});

describe('rfbButtonMask', () => {
  it('swaps the DOM order of middle and right', () => {
    expect(rfbButtonMask(1)).toBe(1);
    expect(rfbButtonMask(2)).toBe(4);
    expect(rfbButtonMask(4)).toBe(2);
    expect(rfbButtonMask(8)).toBe(128);
  });
});
