// The control bar: pop-over panels opened from its buttons, the extra keys and full screen.

import type { RFB } from '../index';

/** Opens one panel at a time under its toggle button; Escape or a second press closes it. */
export class Panels {
  private open: { panel: HTMLElement; button: HTMLElement } | null = null;

  constructor(private readonly onChange: () => void = () => {}) {
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.open) {
        e.preventDefault();
        this.close(true);
      }
    });
    document.addEventListener('pointerdown', (e) => {
      const o = this.open;
      if (!o) return;
      const t = e.target as Node;
      if (!o.panel.contains(t) && !o.button.contains(t)) this.close(false);
    });
    for (const b of document.querySelectorAll<HTMLElement>('[data-close]')) {
      b.addEventListener('click', () => this.close(true));
    }
  }

  /** Connects `button` to the panel it controls (aria-controls). */
  bind(button: HTMLElement, focusFirst = true): void {
    const panel = document.getElementById(button.getAttribute('aria-controls') ?? '');
    if (!panel) return;
    button.addEventListener('click', () => {
      if (this.open?.panel === panel) this.close(false);
      else this.show(panel, button, focusFirst);
    });
  }

  show(panel: HTMLElement, button: HTMLElement, focusFirst = true): void {
    this.close(false);
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    this.open = { panel, button };
    if (focusFirst) {
      panel
        .querySelector<HTMLElement>('textarea, input, select, button:not([data-close])')
        ?.focus({ preventScroll: true });
    }
    this.onChange();
  }

  /** Closes the open panel; with `refocus` the focus goes back to its button. */
  close(refocus: boolean): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    o.panel.hidden = true;
    o.button.setAttribute('aria-expanded', 'false');
    if (refocus) o.button.focus();
    this.onChange();
  }

  get isOpen(): boolean {
    return this.open !== null;
  }
}

/**
 * The extra keys: Ctrl, Alt and Windows latch down until pressed again (or
 * until another extra key was sent); Tab, Esc and Ctrl+Alt+Del are sent at once.
 */
export class ExtraKeys {
  private readonly latched = new Set<HTMLButtonElement>();

  constructor(
    root: HTMLElement,
    private readonly rfb: () => RFB | null,
  ) {
    for (const b of root.querySelectorAll<HTMLButtonElement>('button[data-keysym]')) {
      b.addEventListener('click', () => this.press(b));
    }
    root
      .querySelector('#ctrl-alt-del')
      ?.addEventListener('click', () => this.rfb()?.sendCtrlAltDel());
  }

  private press(b: HTMLButtonElement): void {
    const rfb = this.rfb();
    if (!rfb) return;
    const keysym = Number(b.dataset.keysym);
    const code = b.dataset.code ?? null;
    if (b.hasAttribute('aria-pressed')) {
      const down = !this.latched.has(b);
      rfb.sendKey(keysym, code, down);
      if (down) this.latched.add(b);
      else this.latched.delete(b);
      b.setAttribute('aria-pressed', String(down));
      return;
    }
    rfb.sendKey(keysym, code);
    this.releaseAll();
  }

  /** Releases the latched modifiers (after a key, or when the session ends). */
  releaseAll(send = true): void {
    for (const b of this.latched) {
      if (send) this.rfb()?.sendKey(Number(b.dataset.keysym), b.dataset.code ?? null, false);
      b.setAttribute('aria-pressed', 'false');
    }
    this.latched.clear();
  }
}

/** True when the page runs on a touch screen, where the on-screen keyboard button is shown. */
export function isTouchDevice(): boolean {
  return (
    navigator.maxTouchPoints > 0 ||
    (typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches)
  );
}

/** Full screen for the whole page; resolves once the browser answered (it may refuse). */
export async function toggleFullscreen(): Promise<void> {
  try {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await document.documentElement.requestFullscreen({ navigationUI: 'hide' });
  } catch {
    // Refused (no user gesture, or not allowed in this frame): nothing to do.
  }
}
