// The keyboard: synthesized KeyboardEvents for US, German (AltGr, dead keys), Russian, Windows and macOS quirks, IME text.

import { describe, expect, it } from 'vitest';
import type { KeyEventLike, Platform } from '../../src/input/keyboard';
import { Keyboard } from '../../src/input/keyboard';
import { scancodeFromCode } from '../../src/input/scancodes';
import { writeKeyEvent, writeQemuExtendedKeyEvent } from '../../src/rfb/messages';
import { FakeClock } from './fake-clock';

type Sent = [keysym: number, code: string, down: boolean];

interface Mods {
  ctrl?: boolean;
  alt?: boolean;
  shift?: boolean;
  meta?: boolean;
  location?: number;
  repeat?: boolean;
  composing?: boolean;
  keyCode?: number;
  t?: number;
  altGraph?: boolean;
}

/** A synthesized KeyboardEvent; `prevented` says whether preventDefault was called. */
function key(k: string, code: string, m: Mods = {}): KeyEventLike & { prevented: boolean } {
  const e = {
    key: k,
    code,
    location: m.location ?? 0,
    repeat: m.repeat ?? false,
    ctrlKey: m.ctrl ?? false,
    altKey: m.alt ?? false,
    shiftKey: m.shift ?? false,
    metaKey: m.meta ?? false,
    isComposing: m.composing ?? false,
    keyCode: m.keyCode ?? 0,
    timeStamp: m.t ?? 0,
    getModifierState: (name: string) => name === 'AltGraph' && (m.altGraph ?? false),
    prevented: false,
    preventDefault() {
      e.prevented = true;
    },
  };
  return e;
}

function setup(platform: Platform = 'other') {
  const sent: Sent[] = [];
  const clock = new FakeClock();
  const kb = new Keyboard((keysym, code, down) => sent.push([keysym, code, down]), {
    platform,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  return { kb, sent, clock };
}

describe('Keyboard, US layout', () => {
  it('sends the keysym and code of a letter, press and release', () => {
    const { kb, sent } = setup();
    const down = key('a', 'KeyA');
    kb.keyDown(down);
    kb.keyUp(key('a', 'KeyA'));
    expect(sent).toEqual([
      [0x61, 'KeyA', true],
      [0x61, 'KeyA', false],
    ]);
    expect(down.prevented).toBe(true);
  });

  it('sends shifted characters with Shift held', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Shift', 'ShiftLeft', { shift: true, location: 1 }));
    kb.keyDown(key('A', 'KeyA', { shift: true }));
    kb.keyUp(key('A', 'KeyA', { shift: true }));
    kb.keyDown(key('!', 'Digit1', { shift: true }));
    kb.keyUp(key('!', 'Digit1', { shift: true }));
    kb.keyUp(key('Shift', 'ShiftLeft', { location: 1 }));
    expect(sent).toEqual([
      [0xffe1, 'ShiftLeft', true],
      [0x41, 'KeyA', true],
      [0x41, 'KeyA', false],
      [0x21, 'Digit1', true],
      [0x21, 'Digit1', false],
      [0xffe1, 'ShiftLeft', false],
    ]);
  });

  it('releases the keysym it pressed even when the modifiers changed in between', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Shift', 'ShiftRight', { shift: true, location: 2 }));
    kb.keyDown(key('A', 'KeyA', { shift: true }));
    kb.keyUp(key('Shift', 'ShiftRight', { location: 2 }));
    kb.keyUp(key('a', 'KeyA'));
    expect(sent).toEqual([
      [0xffe2, 'ShiftRight', true],
      [0x41, 'KeyA', true],
      [0xffe2, 'ShiftRight', false],
      [0x41, 'KeyA', false],
    ]);
  });

  it('sends Ctrl+C as Control_L and c', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1 }));
    kb.keyDown(key('c', 'KeyC', { ctrl: true }));
    kb.keyUp(key('c', 'KeyC', { ctrl: true }));
    kb.keyUp(key('Control', 'ControlLeft', { location: 1 }));
    expect(sent).toEqual([
      [0xffe3, 'ControlLeft', true],
      [0x63, 'KeyC', true],
      [0x63, 'KeyC', false],
      [0xffe3, 'ControlLeft', false],
    ]);
  });

  it('repeats a held key as release and press pairs, then releases once', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('x', 'KeyX'));
    kb.keyDown(key('x', 'KeyX', { repeat: true }));
    kb.keyDown(key('x', 'KeyX', { repeat: true }));
    kb.keyUp(key('x', 'KeyX'));
    expect(sent).toEqual([
      [0x78, 'KeyX', true],
      [0x78, 'KeyX', false],
      [0x78, 'KeyX', true],
      [0x78, 'KeyX', false],
      [0x78, 'KeyX', true],
      [0x78, 'KeyX', false],
    ]);
  });

  it('does not repeat modifiers', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Shift', 'ShiftLeft', { shift: true, location: 1 }));
    kb.keyDown(key('Shift', 'ShiftLeft', { shift: true, location: 1, repeat: true }));
    kb.keyUp(key('Shift', 'ShiftLeft', { location: 1 }));
    expect(sent).toEqual([
      [0xffe1, 'ShiftLeft', true],
      [0xffe1, 'ShiftLeft', false],
    ]);
  });

  it('sends special keys, keypad keys and right-hand modifiers', () => {
    const { kb, sent } = setup();
    const keys: [string, string, number][] = [
      ['Enter', 'Enter', 0],
      ['Tab', 'Tab', 0],
      ['Escape', 'Escape', 0],
      ['F5', 'F5', 0],
      ['ArrowUp', 'ArrowUp', 0],
      ['7', 'Numpad7', 3],
      ['End', 'Numpad1', 3],
      ['Enter', 'NumpadEnter', 3],
      ['Control', 'ControlRight', 2],
    ];
    for (const [k, code, location] of keys) {
      kb.keyDown(key(k, code, { location, ctrl: k === 'Control' }));
      kb.keyUp(key(k, code, { location }));
    }
    expect(sent.filter((s) => s[2]).map((s) => s[0])).toEqual([
      0xff0d, 0xff09, 0xff1b, 0xffc2, 0xff52, 0xffb7, 0xff9c, 0xff8d, 0xffe4,
    ]);
    expect(sent.filter((s) => !s[2]).length).toBe(keys.length);
  });

  it('ignores a release it never saw the press of', () => {
    const { kb, sent } = setup();
    kb.keyUp(key('a', 'KeyA'));
    expect(sent).toEqual([]);
  });

  it('leaves keys it cannot name to the browser', () => {
    const { kb, sent } = setup();
    const e = key('Unidentified', '');
    kb.keyDown(e);
    expect(sent).toEqual([]);
    expect(e.prevented).toBe(false);
  });

  it('presses and releases at once a key without a code (on-screen keyboards)', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('q', 'Unidentified'));
    expect(sent).toEqual([
      [0x71, '', true],
      [0x71, '', false],
    ]);
  });
});

describe('Keyboard, modifiers never stay stuck', () => {
  it('releases a modifier the next event says is up', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1 }));
    kb.keyDown(key('Alt', 'AltLeft', { ctrl: true, alt: true, location: 1 }));
    // The keyups went to another window (Alt+Tab); the next key says no modifier is down.
    kb.keyDown(key('a', 'KeyA'));
    expect(sent).toEqual([
      [0xffe3, 'ControlLeft', true],
      [0xffe9, 'AltLeft', true],
      [0xffe3, 'ControlLeft', false],
      [0xffe9, 'AltLeft', false],
      [0x61, 'KeyA', true],
    ]);
  });

  it('syncs modifiers from pointer events', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Shift', 'ShiftLeft', { shift: true, location: 1 }));
    kb.syncModifiers({ ctrlKey: false, altKey: false, shiftKey: true, metaKey: false });
    expect(sent.length).toBe(1);
    kb.syncModifiers({ ctrlKey: false, altKey: false, shiftKey: false, metaKey: false });
    expect(sent).toEqual([
      [0xffe1, 'ShiftLeft', true],
      [0xffe1, 'ShiftLeft', false],
    ]);
  });

  it('releases everything when focus leaves', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Shift', 'ShiftLeft', { shift: true, location: 1 }));
    kb.keyDown(key('A', 'KeyA', { shift: true }));
    kb.releaseAll();
    kb.releaseAll();
    expect(sent).toEqual([
      [0xffe1, 'ShiftLeft', true],
      [0x41, 'KeyA', true],
      [0xffe1, 'ShiftLeft', false],
      [0x41, 'KeyA', false],
    ]);
    expect(kb.keysDown).toEqual([]);
  });
});

describe('Keyboard, German layout', () => {
  it('sends AltGr+Q as ISO_Level3_Shift and @ (Linux, macOS: key "AltGraph")', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('AltGraph', 'AltRight', { location: 2, altGraph: true }));
    kb.keyDown(key('@', 'KeyQ', { altGraph: true }));
    kb.keyUp(key('@', 'KeyQ', { altGraph: true }));
    kb.keyUp(key('AltGraph', 'AltRight', { location: 2 }));
    expect(sent).toEqual([
      [0xfe03, 'AltRight', true],
      [0x40, 'KeyQ', true],
      [0x40, 'KeyQ', false],
      [0xfe03, 'AltRight', false],
    ]);
  });

  it('sends AltGr+E as the Euro sign', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('AltGraph', 'AltRight', { location: 2, altGraph: true }));
    kb.keyDown(key('€', 'KeyE', { altGraph: true }));
    expect(sent[1]).toEqual([0x010020ac, 'KeyE', true]);
  });

  it('sends the composed character of a dead key alone, without its scancode', () => {
    const { kb, sent } = setup();
    const dead = key('Dead', 'Equal');
    kb.keyDown(dead);
    kb.keyUp(key('Dead', 'Equal'));
    kb.keyDown(key('é', 'KeyE'));
    kb.keyUp(key('e', 'KeyE'));
    expect(dead.prevented).toBe(false); // the browser composes
    expect(sent).toEqual([
      [0xe9, '', true],
      [0xe9, '', false],
    ]);
  });

  it('sends a dead key followed by Space as the accent itself, then normal keys again', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Dead', 'Backquote'));
    kb.keyDown(key('^', 'Space'));
    kb.keyUp(key(' ', 'Space'));
    kb.keyDown(key('e', 'KeyE'));
    kb.keyUp(key('e', 'KeyE'));
    expect(sent).toEqual([
      [0x5e, '', true],
      [0x5e, '', false],
      [0x65, 'KeyE', true],
      [0x65, 'KeyE', false],
    ]);
  });

  it('sends shifted dead-key compositions (Shift, dead circumflex, Shift+a = Â)', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Shift', 'ShiftLeft', { shift: true, location: 1 }));
    kb.keyDown(key('Dead', 'Backquote', { shift: true }));
    kb.keyDown(key('Â', 'KeyA', { shift: true }));
    kb.keyUp(key('A', 'KeyA', { shift: true }));
    kb.keyUp(key('Shift', 'ShiftLeft', { location: 1 }));
    expect(sent).toEqual([
      [0xffe1, 'ShiftLeft', true],
      [0xc2, '', true],
      [0xc2, '', false],
      [0xffe1, 'ShiftLeft', false],
    ]);
  });
});

describe('Keyboard, Windows', () => {
  it('merges the fake Ctrl of AltGr into ISO_Level3_Shift', () => {
    const { kb, sent, clock } = setup('windows');
    kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1, t: 1000 }));
    kb.keyDown(key('AltGraph', 'AltRight', { ctrl: true, alt: true, location: 2, t: 1001 }));
    kb.keyDown(key('@', 'KeyQ', { ctrl: true, alt: true, t: 1100 }));
    kb.keyUp(key('@', 'KeyQ', { ctrl: true, alt: true, t: 1150 }));
    kb.keyUp(key('Control', 'ControlLeft', { alt: true, location: 1, t: 1200 }));
    kb.keyUp(key('AltGraph', 'AltRight', { location: 2, t: 1200 }));
    clock.advance(1000);
    expect(sent).toEqual([
      [0xfe03, 'AltRight', true],
      [0x40, 'KeyQ', true],
      [0x40, 'KeyQ', false],
      [0xfe03, 'AltRight', false],
    ]);
  });

  it('sends a real Ctrl when the next key is not AltRight', () => {
    const { kb, sent } = setup('windows');
    kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1, t: 0 }));
    expect(sent).toEqual([]);
    kb.keyDown(key('c', 'KeyC', { ctrl: true, t: 300 }));
    expect(sent).toEqual([
      [0xffe3, 'ControlLeft', true],
      [0x63, 'KeyC', true],
    ]);
  });

  it('sends a real Ctrl when nothing follows in time, or it is released', () => {
    const a = setup('windows');
    a.kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1 }));
    a.clock.advance(99);
    expect(a.sent).toEqual([]);
    a.clock.advance(1);
    expect(a.sent).toEqual([[0xffe3, 'ControlLeft', true]]);

    const b = setup('windows');
    b.kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1 }));
    b.kb.keyUp(key('Control', 'ControlLeft', { location: 1 }));
    expect(b.sent).toEqual([
      [0xffe3, 'ControlLeft', true],
      [0xffe3, 'ControlLeft', false],
    ]);
    expect(b.clock.pending).toBe(0);
  });

  it('sends a held-back Ctrl at once for a Ctrl+click', () => {
    const { kb, sent, clock } = setup('windows');
    kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1 }));
    kb.syncModifiers({ ctrlKey: true, altKey: false, shiftKey: false, metaKey: false });
    expect(sent).toEqual([[0xffe3, 'ControlLeft', true]]);
    expect(clock.pending).toBe(0);
  });

  it('keeps Ctrl and AltRight apart when they come far apart', () => {
    const { kb, sent } = setup('windows');
    kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1, t: 0 }));
    kb.keyDown(key('Alt', 'AltRight', { ctrl: true, alt: true, location: 2, t: 80 }));
    expect(sent).toEqual([
      [0xffe3, 'ControlLeft', true],
      [0xffea, 'AltRight', true],
    ]);
  });

  it('releases both Shifts when one is released', () => {
    const { kb, sent } = setup('windows');
    kb.keyDown(key('Shift', 'ShiftLeft', { shift: true, location: 1 }));
    kb.keyDown(key('Shift', 'ShiftRight', { shift: true, location: 2 }));
    kb.keyUp(key('Shift', 'ShiftLeft', { shift: true, location: 1 }));
    expect(sent.slice(2)).toEqual([
      [0xffe1, 'ShiftLeft', false],
      [0xffe2, 'ShiftRight', false],
    ]);
  });
});

describe('Keyboard, macOS', () => {
  it('maps Command to Alt and Option to Mode_switch / ISO_Level3_Shift', () => {
    const { kb, sent } = setup('mac');
    kb.keyDown(key('Meta', 'MetaLeft', { meta: true, location: 1 }));
    kb.keyDown(key('Alt', 'AltLeft', { meta: true, alt: true, location: 1 }));
    kb.keyDown(key('Alt', 'AltRight', { meta: true, alt: true, location: 2 }));
    expect(sent).toEqual([
      [0xffe9, 'MetaLeft', true],
      [0xff7e, 'AltLeft', true],
      [0xfe03, 'AltRight', true],
    ]);
  });

  it('turns each CapsLock change into a press and release', () => {
    const { kb, sent } = setup('mac');
    kb.keyDown(key('CapsLock', 'CapsLock'));
    kb.keyUp(key('CapsLock', 'CapsLock'));
    expect(sent).toEqual([
      [0xffe5, 'CapsLock', true],
      [0xffe5, 'CapsLock', false],
      [0xffe5, 'CapsLock', true],
      [0xffe5, 'CapsLock', false],
    ]);
  });

  it('releases keys held with Command when Command is released', () => {
    const { kb, sent } = setup('mac');
    kb.keyDown(key('Meta', 'MetaLeft', { meta: true, location: 1 }));
    kb.keyDown(key('c', 'KeyC', { meta: true }));
    kb.keyUp(key('Meta', 'MetaLeft', { location: 1 }));
    expect(sent.slice(2)).toEqual([
      [0xffe9, 'MetaLeft', false],
      [0x63, 'KeyC', false],
    ]);
  });
});

describe('Keyboard, non-Latin layouts', () => {
  it('sends Cyrillic letters as Unicode keysyms', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('с', 'KeyC'));
    expect(sent).toEqual([[0x01000441, 'KeyC', true]]);
  });

  it('sends Ctrl shortcuts with the Latin letter of the key', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Control', 'ControlLeft', { ctrl: true, location: 1 }));
    kb.keyDown(key('с', 'KeyC', { ctrl: true }));
    kb.keyUp(key('с', 'KeyC', { ctrl: true }));
    kb.keyDown(key('С', 'KeyC', { ctrl: true, shift: true }));
    expect(sent).toEqual([
      [0xffe3, 'ControlLeft', true],
      [0x63, 'KeyC', true],
      [0x63, 'KeyC', false],
      [0x43, 'KeyC', true],
    ]);
  });
});

describe('Keyboard, IME and text input', () => {
  it('leaves composing keys to the IME and types the composed text', () => {
    const { kb, sent } = setup();
    const e = key('Process', 'KeyN', { keyCode: 229 });
    kb.keyDown(e);
    kb.compositionStart();
    kb.keyDown(key('n', 'KeyN', { composing: true }));
    kb.keyUp(key('n', 'KeyN', { composing: true }));
    kb.input({ data: 'に', inputType: 'insertCompositionText', isComposing: true });
    kb.compositionEnd('日本');
    expect(e.prevented).toBe(false);
    expect(sent).toEqual([
      [0x010065e5, '', true],
      [0x010065e5, '', false],
      [0x0100672c, '', true],
      [0x0100672c, '', false],
    ]);
  });

  it('a dead key composed by the IME leaves the next keys alone', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Dead', 'Equal'));
    kb.compositionStart();
    kb.keyDown(key('é', 'KeyE', { composing: true }));
    kb.compositionEnd('é');
    kb.keyDown(key('e', 'KeyE'));
    expect(sent).toEqual([
      [0xe9, '', true],
      [0xe9, '', false],
      [0x65, 'KeyE', true],
    ]);
  });

  it('types input events: text, Backspace, line breaks', () => {
    const { kb, sent } = setup();
    kb.input({ data: 'hé', inputType: 'insertText', isComposing: false });
    kb.input({ data: null, inputType: 'deleteContentBackward', isComposing: false });
    kb.input({ data: null, inputType: 'insertLineBreak', isComposing: false });
    expect(sent.filter((s) => s[2]).map((s) => s[0])).toEqual([0x68, 0xe9, 0xff08, 0xff0d]);
    expect(sent.every((s) => s[1] === '')).toBe(true);
  });
});

describe('Keyboard to RFB bytes', () => {
  /** What the session sends: QEMU extended key events when the server has them and the key has a scancode. */
  const bytes = (sent: Sent[], qemu: boolean) =>
    sent.map(([keysym, code, down]) => {
      const sc = scancodeFromCode(code);
      return Array.from(
        qemu && sc ? writeQemuExtendedKeyEvent(keysym, sc, down) : writeKeyEvent(keysym, down),
      );
    });

  it('AltGr+Q: keysyms for a plain server, scancodes for a QEMU one', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('AltGraph', 'AltRight', { location: 2 }));
    kb.keyDown(key('@', 'KeyQ'));
    expect(bytes(sent, false)).toEqual([
      [4, 1, 0, 0, 0, 0, 0xfe, 0x03],
      [4, 1, 0, 0, 0, 0, 0, 0x40],
    ]);
    expect(bytes(sent, true)).toEqual([
      [255, 0, 0, 1, 0, 0, 0xfe, 0x03, 0, 0, 0, 0xb8],
      [255, 0, 0, 1, 0, 0, 0, 0x40, 0, 0, 0, 0x10],
    ]);
  });

  it('a composed character is a plain KeyEvent even for a QEMU server', () => {
    const { kb, sent } = setup();
    kb.keyDown(key('Dead', 'Equal'));
    kb.keyDown(key('é', 'KeyE'));
    expect(bytes(sent, true)).toEqual([
      [4, 1, 0, 0, 0, 0, 0, 0xe9],
      [4, 0, 0, 0, 0, 0, 0, 0xe9],
    ]);
  });
});
