// KeyboardEvent.code to XT scancodes for QEMU extended key events.

import { describe, expect, it } from 'vitest';
import { scancodeFromCode } from '../../src/input/scancodes';

describe('scancodeFromCode', () => {
  it.each([
    ['Escape', 0x01],
    ['KeyA', 0x1e],
    ['KeyQ', 0x10],
    ['KeyZ', 0x2c],
    ['Digit1', 0x02],
    ['Equal', 0x0d],
    ['Backquote', 0x29],
    ['IntlBackslash', 0x56],
    ['ShiftLeft', 0x2a],
    ['ShiftRight', 0x36],
    ['ControlLeft', 0x1d],
    ['ControlRight', 0x9d],
    ['AltLeft', 0x38],
    ['AltRight', 0xb8],
    ['MetaLeft', 0xdb],
    ['MetaRight', 0xdc],
    ['ArrowRight', 0xcd],
    ['Numpad1', 0x4f],
    ['NumpadEnter', 0x9c],
    ['NumpadDivide', 0xb5],
    ['PrintScreen', 0x54],
    ['Pause', 0xc6],
    ['F12', 0x58],
    ['IntlRo', 0x73],
    ['IntlYen', 0x7d],
  ])('%s is 0x%s', (code, scancode) => {
    expect(scancodeFromCode(code)).toBe(scancode);
  });

  it('answers 0 for unknown codes', () => {
    expect(scancodeFromCode('Nope')).toBe(0);
    expect(scancodeFromCode('')).toBe(0);
    expect(scancodeFromCode(null)).toBe(0);
    expect(scancodeFromCode(undefined)).toBe(0);
  });
});
