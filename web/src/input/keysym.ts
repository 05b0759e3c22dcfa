// Minimal DOM keyboard mapping: KeyboardEvent.key to an X keysym and KeyboardEvent.code to an XT scancode.
// (web/src/input/ will hold the full keyboard handling; this covers a US-style keyboard and text.)

const namedKeysyms: Record<string, number> = {
  Backspace: 0xff08,
  Tab: 0xff09,
  Enter: 0xff0d,
  Escape: 0xff1b,
  Insert: 0xff63,
  Delete: 0xffff,
  Home: 0xff50,
  End: 0xff57,
  PageUp: 0xff55,
  PageDown: 0xff56,
  ArrowLeft: 0xff51,
  ArrowUp: 0xff52,
  ArrowRight: 0xff53,
  ArrowDown: 0xff54,
  CapsLock: 0xffe5,
  NumLock: 0xff7f,
  ScrollLock: 0xff14,
  Pause: 0xff13,
  PrintScreen: 0xff61,
  ContextMenu: 0xff67,
  AltGraph: 0xfe03,
};

// Left / right variants, indexed by KeyboardEvent.location (1 left, 2 right).
const modifierKeysyms: Record<string, [number, number]> = {
  Shift: [0xffe1, 0xffe2],
  Control: [0xffe3, 0xffe4],
  Alt: [0xffe9, 0xffea],
  Meta: [0xffeb, 0xffec], // Super, as X11 maps the Windows / Command key
};

/** The keysym for a KeyboardEvent's key and location, or 0 if unknown. */
export function keysymFromKey(key: string, location = 0): number {
  const cps = Array.from(key);
  if (cps.length === 1) {
    const cp = cps[0].codePointAt(0)!;
    if (cp < 0x20) return 0;
    return cp < 0x100 ? cp : 0x01000000 + cp; // Latin-1 keysyms equal the code point; others use Unicode keysyms
  }
  const mod = modifierKeysyms[key];
  if (mod) return location === 2 ? mod[1] : mod[0];
  const f = /^F(\d{1,2})$/.exec(key);
  if (f && Number(f[1]) >= 1 && Number(f[1]) <= 24) return 0xffbe + Number(f[1]) - 1;
  return namedKeysyms[key] ?? 0;
}

// XT set 1 make codes; 0xe0-prefixed codes have bit 7 set, as the QEMU extended key event wants.
// prettier-ignore
const xtScancodes: Record<string, number> = {
  Escape: 0x01, Digit1: 0x02, Digit2: 0x03, Digit3: 0x04, Digit4: 0x05, Digit5: 0x06, Digit6: 0x07,
  Digit7: 0x08, Digit8: 0x09, Digit9: 0x0a, Digit0: 0x0b, Minus: 0x0c, Equal: 0x0d, Backspace: 0x0e,
  Tab: 0x0f, KeyQ: 0x10, KeyW: 0x11, KeyE: 0x12, KeyR: 0x13, KeyT: 0x14, KeyY: 0x15, KeyU: 0x16,
  KeyI: 0x17, KeyO: 0x18, KeyP: 0x19, BracketLeft: 0x1a, BracketRight: 0x1b, Enter: 0x1c,
  ControlLeft: 0x1d, KeyA: 0x1e, KeyS: 0x1f, KeyD: 0x20, KeyF: 0x21, KeyG: 0x22, KeyH: 0x23,
  KeyJ: 0x24, KeyK: 0x25, KeyL: 0x26, Semicolon: 0x27, Quote: 0x28, Backquote: 0x29,
  ShiftLeft: 0x2a, Backslash: 0x2b, KeyZ: 0x2c, KeyX: 0x2d, KeyC: 0x2e, KeyV: 0x2f, KeyB: 0x30,
  KeyN: 0x31, KeyM: 0x32, Comma: 0x33, Period: 0x34, Slash: 0x35, ShiftRight: 0x36,
  NumpadMultiply: 0x37, AltLeft: 0x38, Space: 0x39, CapsLock: 0x3a, F1: 0x3b, F2: 0x3c, F3: 0x3d,
  F4: 0x3e, F5: 0x3f, F6: 0x40, F7: 0x41, F8: 0x42, F9: 0x43, F10: 0x44, NumLock: 0x45,
  ScrollLock: 0x46, Numpad7: 0x47, Numpad8: 0x48, Numpad9: 0x49, NumpadSubtract: 0x4a,
  Numpad4: 0x4b, Numpad5: 0x4c, Numpad6: 0x4d, NumpadAdd: 0x4e, Numpad1: 0x4f, Numpad2: 0x50,
  Numpad3: 0x51, Numpad0: 0x52, NumpadDecimal: 0x53, PrintScreen: 0x54, IntlBackslash: 0x56,
  F11: 0x57, F12: 0x58, NumpadEnter: 0x9c, ControlRight: 0x9d, NumpadDivide: 0xb5, AltRight: 0xb8,
  Pause: 0xc6, Home: 0xc7, ArrowUp: 0xc8, PageUp: 0xc9, ArrowLeft: 0xcb, ArrowRight: 0xcd,
  End: 0xcf, ArrowDown: 0xd0, PageDown: 0xd1, Insert: 0xd2, Delete: 0xd3, MetaLeft: 0xdb,
  MetaRight: 0xdc, ContextMenu: 0xdd,
};

/** The XT scancode for a KeyboardEvent.code, or 0 if unknown. */
export function scancodeFromCode(code: string | null | undefined): number {
  return (code && xtScancodes[code]) || 0;
}
