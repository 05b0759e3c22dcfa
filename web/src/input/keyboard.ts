// Keyboard handling: KeyboardEvents, dead keys and IME text to key presses and releases (keysym + KeyboardEvent.code).

import { isCharacterKey, keysymFromChar, keysymFromKey, keysyms, usCharFromCode } from './keysym';
import { scancodeFromCode } from './scancodes';

/** The parts of a KeyboardEvent the keyboard reads (tests pass plain objects). */
export interface KeyEventLike {
  key: string;
  code: string;
  location: number;
  repeat?: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
  isComposing?: boolean;
  keyCode?: number;
  timeStamp: number;
  getModifierState?(key: string): boolean;
  preventDefault(): void;
}

/** The parts of an InputEvent the keyboard reads. */
export interface InputEventLike {
  data: string | null;
  inputType: string;
  isComposing?: boolean;
}

/** The modifier flags any UI event carries (pointer events too). */
export interface ModifierState {
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/**
 * Receives key events: `code` is the KeyboardEvent.code the server may map to a scancode (QEMU
 * extended key event), or '' when only the keysym means anything (text from an IME, a composed
 * character, an on-screen keyboard).
 */
export type KeySink = (keysym: number, code: string, down: boolean) => void;

export type Platform = 'windows' | 'mac' | 'other';

export interface KeyboardOptions {
  platform?: Platform;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** The platform of this browser, for the few quirks that depend on it. */
export function detectPlatform(): Platform {
  if (typeof navigator === 'undefined') return 'other';
  const p = navigator.platform || navigator.userAgent;
  if (/^Win/i.test(p)) return 'windows';
  if (/^(Mac|iPhone|iPad|iPod)/i.test(p)) return 'mac';
  return 'other';
}

/** Windows sends AltGr as a fake ControlLeft press and AltRight at once; wait this long for it. */
export const altGrWindowMs = 50;
/** How long a ControlLeft press is held back to see whether AltRight follows (Windows). */
export const altGrTimeoutMs = 100;

interface PressedKey {
  keysym: number;
  /** The code sent with the press ('' if none): the release must name the same key. */
  sentCode: string;
}

// Modifier keys by code, and the event flag that says whether they are down.
const modifierFlags: Record<string, keyof ModifierState> = {
  ControlLeft: 'ctrlKey',
  ControlRight: 'ctrlKey',
  ShiftLeft: 'shiftKey',
  ShiftRight: 'shiftKey',
  AltLeft: 'altKey',
  AltRight: 'altKey',
  MetaLeft: 'metaKey',
  MetaRight: 'metaKey',
};

/**
 * Turns keyboard events into key presses and releases for the server.
 *
 * A printable key sends the keysym of the character it produced (event.key), with the modifiers
 * as they are, so any browser layout works against a server keymap that has the character; with
 * the code as well, a server that takes QEMU extended key events uses the scancode and its own
 * keymap instead. AltGr is ISO_Level3_Shift, also when Windows reports it as Ctrl+Alt. A dead
 * key sends nothing: the character it composes is sent alone, keysym only (its scancode would
 * name the base letter). IME and on-screen keyboard text comes through `compositionEnd` and
 * `input`. Every press is remembered by code, so the release (and an autorepeat press) names the
 * same keysym whatever the modifiers are by then, and `releaseAll` leaves nothing stuck down.
 */
export class Keyboard {
  private readonly pressed = new Map<string, PressedKey>();
  private readonly platform: Platform;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private pendingCtrl: { time: number; timer: unknown } | null = null;
  private deadKey = false;
  private composing = false;

  constructor(
    private readonly sink: KeySink,
    options: KeyboardOptions = {},
  ) {
    this.platform = options.platform ?? detectPlatform();
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer =
      options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** Codes of the keys the server was told are down. */
  get keysDown(): string[] {
    return [...this.pressed.keys()];
  }

  /** Handles a keydown; calls preventDefault unless the browser must see the key (IME, dead keys). */
  keyDown(e: KeyEventLike): void {
    if (e.isComposing || e.keyCode === 229 || this.composing) return; // the IME's; text comes later
    let code = e.code && e.code !== 'Unidentified' ? e.code : '';
    let keysym = keysymFromKey(e.key, e.location);
    let altGr = false;

    if (this.pendingCtrl) {
      const ctrlTime = this.pendingCtrl.time;
      this.cancelPendingCtrl();
      if (code === 'AltRight' && e.timeStamp - ctrlTime < altGrWindowMs) altGr = true;
      else this.press(keysyms.controlL, 'ControlLeft');
    }
    this.syncModifiers(e);

    if (e.key === 'Dead') {
      // Let the browser compose; the composed character arrives as the next key's `key`.
      this.deadKey = true;
      return;
    }

    const held = code ? this.pressed.get(code) : undefined;
    if (held) {
      // Autorepeat, as X itself delivers it: a release and a press. A second press alone is
      // dropped by servers whose X server autorepeat is off (x11vnc turns it off). Modifiers
      // need no repeating.
      e.preventDefault();
      if (modifierFlags[code] || held.keysym === keysyms.capsLock) return;
      this.sink(held.keysym, held.sentCode, false);
      this.sink(held.keysym, held.sentCode, true);
      return;
    }

    if (altGr || e.key === 'AltGraph') keysym = keysyms.isoLevel3Shift;
    else if (this.platform === 'mac') keysym = macModifier(keysym);

    if (isCharacterKey(e.key)) {
      if (this.deadKey)
        code = ''; // the composed character: its scancode would be the base letter
      else keysym = shortcutKeysym(e, keysym);
    }
    this.deadKey = false;

    if (!keysym && !scancodeFromCode(code)) return; // nothing the server could use
    e.preventDefault();

    if (!code) {
      // A key we cannot track to its release (on-screen keyboards): press and release now.
      this.sink(keysym, '', true);
      this.sink(keysym, '', false);
      return;
    }
    if (this.platform === 'mac' && code === 'CapsLock') {
      // macOS reports a CapsLock toggle, not the key: one press and release per state change.
      this.sink(keysyms.capsLock, code, true);
      this.sink(keysyms.capsLock, code, false);
      return;
    }
    if (this.platform === 'windows' && code === 'ControlLeft' && !altGr) {
      // Possibly the fake Ctrl of AltGr: hold it back until the next event says.
      const timer = this.setTimer(() => {
        this.pendingCtrl = null;
        this.press(keysyms.controlL, 'ControlLeft');
      }, altGrTimeoutMs);
      this.pendingCtrl = { time: e.timeStamp, timer };
      return;
    }
    this.press(keysym, code);
  }

  /** Handles a keyup: releases what the matching keydown pressed. */
  keyUp(e: KeyEventLike): void {
    if (e.isComposing || e.keyCode === 229) return;
    const code = e.code && e.code !== 'Unidentified' ? e.code : '';
    if (this.pendingCtrl) {
      this.cancelPendingCtrl();
      this.press(keysyms.controlL, 'ControlLeft');
    }
    if (!code) return;
    if (this.pressed.has(code) || (this.platform === 'mac' && code === 'CapsLock')) {
      e.preventDefault();
    }
    if (this.platform === 'mac' && code === 'CapsLock') {
      this.sink(keysyms.capsLock, code, true);
      this.sink(keysyms.capsLock, code, false);
      return;
    }
    this.release(code);
    if (this.platform === 'windows' && (code === 'ShiftLeft' || code === 'ShiftRight')) {
      // Windows sends no keyup for one Shift while the other is held: release both.
      this.release('ShiftLeft');
      this.release('ShiftRight');
    }
    if (this.platform === 'mac' && (code === 'MetaLeft' || code === 'MetaRight')) {
      // macOS sends no keyup for keys released while Command is held.
      for (const c of this.keysDown) if (!/^(Shift|Control|Alt|Meta)/.test(c)) this.release(c);
    }
    this.syncModifiers(e);
  }

  /** An IME composition started: keys belong to it until it ends. */
  compositionStart(): void {
    this.composing = true;
    this.deadKey = false; // an IME composes the dead key (IBus): its text comes at the end
  }

  /** An IME composition ended with `data`: type it. */
  compositionEnd(data: string | null): void {
    this.composing = false;
    if (data) this.typeText(data);
  }

  /**
   * Handles an `input` event of the hidden text field (keys we did not prevent: on-screen
   * keyboards, dictation). Composition text is left to `compositionEnd`.
   */
  input(e: InputEventLike): void {
    if (e.isComposing || e.inputType === 'insertCompositionText') return;
    if (e.inputType === 'deleteContentBackward') this.stroke(keysyms.backSpace);
    else if (e.inputType === 'deleteContentForward') this.stroke(keysyms.delete);
    else if (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph') {
      this.stroke(keysyms.return);
    } else if (e.data) this.typeText(e.data);
  }

  /** Presses and releases the keysym of each character of `text` (newlines as Return). */
  typeText(text: string): void {
    for (const ch of text) {
      const keysym = ch === '\n' || ch === '\r' ? keysyms.return : keysymFromChar(ch);
      if (ch === '\t') this.stroke(keysyms.tab);
      else if (keysym) this.stroke(keysym);
    }
  }

  /**
   * Releases modifiers the event says are up but the server was told are down (a keyup lost
   * to the OS, e.g. after Alt+Tab). Pointer events call this too.
   */
  syncModifiers(state: ModifierState): void {
    if (this.pendingCtrl) {
      // A click while a Windows Ctrl is held back: the Ctrl is real if the flag says so.
      this.cancelPendingCtrl();
      if (state.ctrlKey) this.press(keysyms.controlL, 'ControlLeft');
    }
    for (const [code, key] of [...this.pressed]) {
      const flag = modifierFlags[code];
      // AltGr (and macOS Option) set no flag of their own.
      const level3 = key.keysym === keysyms.isoLevel3Shift || key.keysym === keysyms.modeSwitch;
      if (flag && !level3 && !state[flag]) this.release(code);
    }
  }

  /** Releases every key the server was told is down (focus left, disconnect). */
  releaseAll(): void {
    this.cancelPendingCtrl();
    this.deadKey = false;
    this.composing = false;
    for (const code of this.keysDown) this.release(code);
  }

  private cancelPendingCtrl(): void {
    if (!this.pendingCtrl) return;
    this.clearTimer(this.pendingCtrl.timer);
    this.pendingCtrl = null;
  }

  private press(keysym: number, code: string): void {
    this.pressed.set(code, { keysym, sentCode: code });
    this.sink(keysym, code, true);
  }

  private release(code: string): void {
    const key = this.pressed.get(code);
    if (!key) return;
    this.pressed.delete(code);
    this.sink(key.keysym, key.sentCode, false);
  }

  private stroke(keysym: number): void {
    this.sink(keysym, '', true);
    this.sink(keysym, '', false);
  }
}

/**
 * The keysym for a Ctrl or Command shortcut: on a layout whose letters are not Latin (Russian,
 * Greek), Ctrl+C produces "с"; applications expect the Latin letter of the key, as X's own
 * keyboard handling gives them.
 */
function shortcutKeysym(e: KeyEventLike, keysym: number): number {
  const shortcut = (e.ctrlKey && !e.altKey) || e.metaKey;
  if (!shortcut || keysym < 0x100 || e.getModifierState?.('AltGraph')) return keysym;
  const us = usCharFromCode(e.code);
  if (!us) return keysym;
  return keysymFromChar(e.shiftKey && /[a-z]/.test(us) ? us.toUpperCase() : us);
}

/**
 * macOS: Option is the key for extra characters, like AltGr elsewhere, and Command is used
 * where other systems use Alt; remap them as Apple-aware VNC viewers do.
 */
function macModifier(keysym: number): number {
  switch (keysym) {
    case keysyms.altL:
      return keysyms.modeSwitch;
    case keysyms.altR:
      return keysyms.isoLevel3Shift;
    case keysyms.superL:
      return keysyms.altL;
    case keysyms.superR:
      return keysyms.superL;
    default:
      return keysym;
  }
}
