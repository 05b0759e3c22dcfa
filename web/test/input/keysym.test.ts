// KeyboardEvent.key to keysym: characters, special keys, modifiers by location, the keypad.

import { describe, expect, it } from 'vitest';
import { keysymFromChar, keysymFromKey, usCharFromCode } from '../../src/input/keysym';

describe('keysymFromKey', () => {
  it.each([
    // Latin-1 characters are their own keysyms.
    ['a', 0, 0x61],
    ['A', 0, 0x41],
    [' ', 0, 0x20],
    ['~', 0, 0x7e],
    ['@', 0, 0x40],
    ['é', 0, 0xe9],
    ['ß', 0, 0xdf],
    ['´', 0, 0xb4],
    ['\u00a0', 0, 0xa0],
    // Everything else is a Unicode keysym.
    ['€', 0, 0x010020ac],
    ['с', 0, 0x01000441],
    ['日', 0, 0x010065e5],
    ['😀', 0, 0x0101f600],
    // Special keys.
    ['Enter', 0, 0xff0d],
    ['Tab', 0, 0xff09],
    ['Backspace', 0, 0xff08],
    ['Escape', 0, 0xff1b],
    ['Delete', 0, 0xffff],
    ['Insert', 0, 0xff63],
    ['Home', 0, 0xff50],
    ['End', 0, 0xff57],
    ['PageUp', 0, 0xff55],
    ['PageDown', 0, 0xff56],
    ['ArrowLeft', 0, 0xff51],
    ['ArrowUp', 0, 0xff52],
    ['ArrowRight', 0, 0xff53],
    ['ArrowDown', 0, 0xff54],
    ['PrintScreen', 0, 0xff61],
    ['Pause', 0, 0xff13],
    ['ScrollLock', 0, 0xff14],
    ['ContextMenu', 0, 0xff67],
    ['CapsLock', 0, 0xffe5],
    ['NumLock', 0, 0xff7f],
    ['AltGraph', 0, 0xfe03],
    ['Compose', 0, 0xff20],
    ['F1', 0, 0xffbe],
    ['F12', 0, 0xffc9],
    ['F24', 0, 0xffd5],
    ['AudioVolumeUp', 0, 0x1008ff13],
    // Modifiers, left and right.
    ['Shift', 1, 0xffe1],
    ['Shift', 2, 0xffe2],
    ['Control', 1, 0xffe3],
    ['Control', 2, 0xffe4],
    ['Alt', 1, 0xffe9],
    ['Alt', 2, 0xffea],
    ['Meta', 1, 0xffeb],
    ['Meta', 2, 0xffec],
    // The keypad (location 3), NumLock on and off.
    ['0', 3, 0xffb0],
    ['7', 3, 0xffb7],
    ['.', 3, 0xffae],
    [',', 3, 0xffac],
    ['+', 3, 0xffab],
    ['-', 3, 0xffad],
    ['*', 3, 0xffaa],
    ['/', 3, 0xffaf],
    ['=', 3, 0xffbd],
    ['Enter', 3, 0xff8d],
    ['End', 3, 0xff9c],
    ['ArrowDown', 3, 0xff99],
    ['PageDown', 3, 0xff9b],
    ['ArrowLeft', 3, 0xff96],
    ['Clear', 3, 0xff9d],
    ['ArrowRight', 3, 0xff98],
    ['Home', 3, 0xff95],
    ['ArrowUp', 3, 0xff97],
    ['PageUp', 3, 0xff9a],
    ['Insert', 3, 0xff9e],
    ['Delete', 3, 0xff9f],
    // Nothing to send.
    ['Dead', 0, 0],
    ['Process', 0, 0],
    ['Unidentified', 0, 0],
    ['\u0007', 0, 0],
    ['\u0085', 0, 0],
  ])('%j at location %i is %i', (key, location, keysym) => {
    expect(keysymFromKey(key, location)).toBe(keysym);
  });
});

describe('keysymFromChar', () => {
  it('takes exactly one code point', () => {
    expect(keysymFromChar('ab')).toBe(0);
    expect(keysymFromChar('')).toBe(0);
    expect(keysymFromChar('\u{1f600}')).toBe(0x0101f600);
  });
});

describe('usCharFromCode', () => {
  it('names the US character of a code', () => {
    expect(usCharFromCode('KeyC')).toBe('c');
    expect(usCharFromCode('Digit7')).toBe('7');
    expect(usCharFromCode('Slash')).toBe('/');
    expect(usCharFromCode('F1')).toBeNull();
  });
});
