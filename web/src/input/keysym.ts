// KeyboardEvent.key (and location) to an X keysym: characters by code point, special keys by a small table.

/** X keysyms the keyboard code names. */
export const keysyms = {
  backSpace: 0xff08,
  tab: 0xff09,
  return: 0xff0d,
  escape: 0xff1b,
  delete: 0xffff,
  shiftL: 0xffe1,
  shiftR: 0xffe2,
  controlL: 0xffe3,
  controlR: 0xffe4,
  capsLock: 0xffe5,
  metaL: 0xffe7,
  altL: 0xffe9,
  altR: 0xffea,
  superL: 0xffeb,
  superR: 0xffec,
  isoLevel3Shift: 0xfe03,
  modeSwitch: 0xff7e,
} as const;

// Keys whose keysym does not depend on the location.
const namedKeysyms: Record<string, number> = {
  Backspace: 0xff08,
  Tab: 0xff09,
  Clear: 0xff0b,
  Enter: 0xff0d,
  Pause: 0xff13,
  ScrollLock: 0xff14,
  Escape: 0xff1b,
  Home: 0xff50,
  ArrowLeft: 0xff51,
  ArrowUp: 0xff52,
  ArrowRight: 0xff53,
  ArrowDown: 0xff54,
  PageUp: 0xff55,
  PageDown: 0xff56,
  End: 0xff57,
  Select: 0xff60,
  PrintScreen: 0xff61,
  Execute: 0xff62,
  Insert: 0xff63,
  Undo: 0xff65,
  Redo: 0xff66,
  ContextMenu: 0xff67,
  Find: 0xff68,
  Cancel: 0xff69,
  Help: 0xff6a,
  NumLock: 0xff7f,
  Delete: 0xffff,
  CapsLock: 0xffe5,
  AltGraph: 0xfe03,
  ModeChange: 0xff7e,
  Hyper: 0xffed,
  Super: 0xffeb,
  Compose: 0xff20,
  Convert: 0xff23, // Henkan
  NonConvert: 0xff22, // Muhenkan
  KanaMode: 0xff2d,
  HiraganaKatakana: 0xff27,
  Hiragana: 0xff25,
  Katakana: 0xff26,
  ZenkakuHankaku: 0xff2a,
  Romaji: 0xff24,
  Eisu: 0xff2f,
  HangulMode: 0xff31,
  HanjaMode: 0xff34,
  // XF86 keysyms for media and browser keys.
  AudioVolumeMute: 0x1008ff12,
  AudioVolumeDown: 0x1008ff11,
  AudioVolumeUp: 0x1008ff13,
  MediaPlayPause: 0x1008ff14,
  MediaStop: 0x1008ff15,
  MediaTrackPrevious: 0x1008ff16,
  MediaTrackNext: 0x1008ff17,
  BrowserBack: 0x1008ff26,
  BrowserForward: 0x1008ff27,
  BrowserRefresh: 0x1008ff29,
  BrowserSearch: 0x1008ff1b,
  BrowserHome: 0x1008ff18,
  Power: 0x1008ff2a,
  Sleep: 0x1008ff2f,
  WakeUp: 0x1008ff2b,
};

// Left / right variants, indexed by KeyboardEvent.location (1 left, 2 right).
const modifierKeysyms: Record<string, [number, number]> = {
  Shift: [keysyms.shiftL, keysyms.shiftR],
  Control: [keysyms.controlL, keysyms.controlR],
  Alt: [keysyms.altL, keysyms.altR],
  Meta: [keysyms.superL, keysyms.superR], // X11 maps the Windows / Command key to Super
  OS: [keysyms.superL, keysyms.superR], // Firefox's old name for it
};

// Keypad keys (location 3): the NumLock-off names and the operators.
const keypadKeysyms: Record<string, number> = {
  Enter: 0xff8d,
  Home: 0xff95,
  ArrowLeft: 0xff96,
  ArrowUp: 0xff97,
  ArrowRight: 0xff98,
  ArrowDown: 0xff99,
  PageUp: 0xff9a,
  PageDown: 0xff9b,
  End: 0xff9c,
  Clear: 0xff9d, // KP_Begin: keypad 5 with NumLock off
  Insert: 0xff9e,
  Delete: 0xff9f,
  '=': 0xffbd,
  '*': 0xffaa,
  '+': 0xffab,
  ',': 0xffac,
  '-': 0xffad,
  '.': 0xffae,
  '/': 0xffaf,
};

/** KeyboardEvent.location of keypad keys. */
export const locationNumpad = 3;

/**
 * The keysym of one character: Latin-1 keysyms equal the code point, other characters use the
 * Unicode keysym range (0x01000000 + code point). Control characters and strings that are not
 * exactly one code point answer 0.
 */
export function keysymFromChar(char: string): number {
  const cps = Array.from(char);
  if (cps.length !== 1) return 0;
  const cp = cps[0].codePointAt(0)!;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x100) return cp;
  return 0x01000000 + cp;
}

/** True when `key` (a KeyboardEvent.key) is one printable character rather than a key name. */
export function isCharacterKey(key: string): boolean {
  return keysymFromChar(key) !== 0;
}

/**
 * The keysym for a KeyboardEvent's key and location, or 0 if unknown (also for "Dead",
 * "Process" and "Unidentified", which name no character).
 */
export function keysymFromKey(key: string, location = 0): number {
  if (location === locationNumpad) {
    if (/^[0-9]$/.test(key)) return 0xffb0 + Number(key);
    const kp = keypadKeysyms[key];
    if (kp) return kp;
  }
  const ch = keysymFromChar(key);
  if (ch) return ch;
  const mod = modifierKeysyms[key];
  if (mod) return location === 2 ? mod[1] : mod[0];
  const f = /^F(\d{1,2})$/.exec(key);
  if (f && Number(f[1]) >= 1 && Number(f[1]) <= 35) return 0xffbe + Number(f[1]) - 1;
  return namedKeysyms[key] ?? 0;
}

// What a key makes without modifiers in the US layout, by KeyboardEvent.code: used when a
// shortcut (Ctrl+C) is typed on a layout whose letters are not Latin.
const usPunctuation: Record<string, string> = {
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Backquote: '`',
  Comma: ',',
  Period: '.',
  Slash: '/',
};

/** The lower-case US-layout character of a KeyboardEvent.code ("KeyC" → "c"), or null. */
export function usCharFromCode(code: string): string | null {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return letter[1].toLowerCase();
  const digit = /^Digit([0-9])$/.exec(code);
  if (digit) return digit[1];
  return usPunctuation[code] ?? null;
}
