// Automatic clipboard sync with the async Clipboard API, where the browser allows it; tells the UI when it does not.

/** The parts of navigator.clipboard used. */
export interface ClipboardLike {
  readText?(): Promise<string>;
  writeText?(text: string): Promise<void>;
}

/** Whether automatic sync works in each direction; where it does not, the UI offers a panel. */
export interface ClipboardAccess {
  /** The local clipboard is read and sent to the server when the page gets focus or a click. */
  read: boolean;
  /** The server's clipboard is written to the local clipboard when it changes. */
  write: boolean;
}

export interface ClipboardSyncOptions {
  clipboard: ClipboardLike | null;
  /** Sends text to the server's clipboard. */
  send(text: string): void;
  /** Called when `access` changes. */
  accessChanged(access: ClipboardAccess): void;
  /**
   * The state of a permission ('granted', 'prompt', 'denied'), or null when the browser cannot
   * say (then reading is not tried: Firefox and Safari show a paste pop-up on every read).
   */
  queryPermission?(name: 'clipboard-read' | 'clipboard-write'): Promise<PermissionState | null>;
}

/** Asks navigator.permissions; null when the name or the API is unknown. */
export async function queryClipboardPermission(
  name: 'clipboard-read' | 'clipboard-write',
): Promise<PermissionState | null> {
  try {
    if (typeof navigator === 'undefined' || !navigator.permissions) return null;
    const status = await navigator.permissions.query({ name: name as PermissionName });
    return status.state;
  } catch {
    return null;
  }
}

/**
 * Keeps the local clipboard and the server's in step. Text from the server is written locally
 * (when the browser lets a focused page write); the local clipboard is read when the user comes
 * back to the page (focus, a click) and sent if it changed. The last text seen either way is
 * remembered so that nothing is echoed back. Failures switch that direction off and report it
 * through `accessChanged`; a later success switches it on again.
 */
export class ClipboardSync {
  /** Sync automatically (the page may turn it off and use the panel only). */
  enabled = true;
  private accessValue: ClipboardAccess;
  private lastText: string | null = null;
  private pendingWrite: string | null = null;
  private reading = false;
  private readAllowed: Promise<boolean>;
  /** The clipboard was read successfully before (so reading again prompts nobody). */
  private readGranted = false;

  constructor(private readonly options: ClipboardSyncOptions) {
    const c = options.clipboard;
    this.accessValue = { read: false, write: typeof c?.writeText === 'function' };
    const query = options.queryPermission ?? queryClipboardPermission;
    this.readAllowed =
      typeof c?.readText === 'function'
        ? query('clipboard-read').then(
            (state) => {
              this.readGranted = state === 'granted';
              return state === 'granted' || state === 'prompt';
            },
            () => false,
          )
        : Promise.resolve(false);
    void this.readAllowed.then((ok) => this.setAccess({ ...this.accessValue, read: ok }));
  }

  get access(): ClipboardAccess {
    return { ...this.accessValue };
  }

  /** The server's clipboard changed to `text`: write it locally if allowed. */
  async fromServer(text: string): Promise<void> {
    this.lastText = text;
    if (!this.enabled || !this.options.clipboard?.writeText) return;
    try {
      await this.options.clipboard.writeText(text);
      this.pendingWrite = null;
      this.setAccess({ ...this.accessValue, write: true });
    } catch {
      // Not focused, or not allowed: try again when the user is back (`pull`).
      this.pendingWrite = text;
      this.setAccess({ ...this.accessValue, write: false });
    }
  }

  /**
   * The user is at the page: write text from the server that could not be written before, then
   * read the local clipboard and send it if it changed. Without `userGesture` (the window got
   * focus) the clipboard is read only where that needs no permission prompt. Resolves with the
   * text sent, or null.
   */
  async pull(userGesture = true): Promise<string | null> {
    if (!this.enabled || this.reading) return null;
    this.reading = true;
    try {
      if (this.pendingWrite !== null) await this.fromServer(this.pendingWrite);
      const c = this.options.clipboard;
      if (!c?.readText || !(await this.readAllowed)) return null;
      if (!userGesture && !this.readGranted) return null;
      let text: string;
      try {
        text = await c.readText();
        this.readGranted = true;
        this.setAccess({ ...this.accessValue, read: true });
      } catch {
        this.setAccess({ ...this.accessValue, read: false });
        return null;
      }
      if (!text || text === this.lastText) return null;
      this.lastText = text;
      this.options.send(text);
      return text;
    } finally {
      this.reading = false;
    }
  }

  /** Text pasted by the user (the panel, a paste event): send it and remember it. */
  paste(text: string): void {
    this.lastText = text;
    this.options.send(text);
  }

  private setAccess(access: ClipboardAccess): void {
    if (access.read === this.accessValue.read && access.write === this.accessValue.write) return;
    this.accessValue = access;
    this.options.accessChanged(this.access);
  }
}
