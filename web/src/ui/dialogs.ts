// The page's modal dialogs: credentials (username and/or password) and the server's identity key to trust.

import type { Credentials, CredentialType } from '../index';

/**
 * A <dialog> of page.html shown modally (or just opened where showModal is missing); Escape calls
 * `onEscape` instead of closing it by itself.
 */
class ModalDialog {
  protected readonly dialog: HTMLDialogElement;

  constructor(id: string, onEscape: () => void) {
    this.dialog = document.getElementById(id) as HTMLDialogElement;
    this.dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      onEscape();
    });
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
    this.dialog.removeAttribute('open');
  }

  protected show(): void {
    if (this.dialog.open) return;
    if (typeof this.dialog.showModal === 'function') this.dialog.showModal();
    else this.dialog.setAttribute('open', '');
  }
}

export interface CredentialsDialogEvents {
  submit(credentials: Credentials): void;
  cancel(): void;
}

/** The <dialog id="credentials-dialog"> of page.html. */
export class CredentialsDialog extends ModalDialog {
  private readonly form = document.getElementById('credentials') as HTMLFormElement;
  private readonly username = document.getElementById('username') as HTMLInputElement;
  private readonly password = document.getElementById('password') as HTMLInputElement;
  private readonly usernameField = document.getElementById('username-field') as HTMLElement;
  private readonly passwordField = document.getElementById('password-field') as HTMLElement;
  private readonly hint = document.getElementById('credentials-hint') as HTMLElement;
  private types: CredentialType[] = [];

  constructor(private readonly events: CredentialsDialogEvents) {
    // Escape is Cancel.
    super('credentials-dialog', () => this.cancel());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const credentials: Credentials = {};
      if (this.types.includes('username')) credentials.username = this.username.value;
      if (this.types.includes('password')) credentials.password = this.password.value;
      this.password.value = '';
      this.close();
      this.events.submit(credentials);
    });
    document.getElementById('cancel-credentials')?.addEventListener('click', () => this.cancel());
  }

  /** Shows the dialog with the fields for `types` and focuses the first one. */
  open(types: CredentialType[]): void {
    this.types = types;
    const wantsUser = types.includes('username');
    const wantsPassword = types.includes('password');
    this.usernameField.hidden = !wantsUser;
    this.passwordField.hidden = !wantsPassword;
    this.username.required = wantsUser;
    this.hint.textContent =
      wantsUser && wantsPassword
        ? 'The VNC server asks for a username and password.'
        : wantsUser
          ? 'The VNC server asks for a username.'
          : 'The VNC server asks for a password.';
    this.show();
    (wantsUser ? this.username : this.password).focus();
  }

  private cancel(): void {
    this.password.value = '';
    this.close();
    this.events.cancel();
  }
}

export interface ServerVerificationDialogEvents {
  approve(): void;
  reject(): void;
}

/** What the server verification dialog shows: the key's type, size and fingerprint. */
export interface ServerKeyInfo {
  type: string;
  bits: number;
  fingerprint: string;
}

/**
 * The <dialog id="verify-dialog"> of page.html: shows the server's identity key fingerprint and
 * asks whether to trust the server. Reject has the focus first, so that a reflexive Enter does
 * not trust an unchecked key; Escape rejects too.
 */
export class ServerVerificationDialog extends ModalDialog {
  private readonly form = document.getElementById('verify') as HTMLFormElement;
  private readonly fingerprint = document.getElementById('verify-fingerprint') as HTMLElement;
  private readonly keyInfo = document.getElementById('verify-key') as HTMLElement;
  private readonly rejectButton = document.getElementById('reject-server') as HTMLButtonElement;

  constructor(private readonly events: ServerVerificationDialogEvents) {
    super('verify-dialog', () => this.reject());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.close();
      this.events.approve();
    });
    this.rejectButton.addEventListener('click', () => this.reject());
  }

  open(key: ServerKeyInfo): void {
    this.fingerprint.textContent = key.fingerprint;
    this.keyInfo.textContent = `${key.type} key, ${key.bits} bits, SHA-256 fingerprint`;
    this.show();
    this.rejectButton.focus();
  }

  private reject(): void {
    this.close();
    this.events.reject();
  }
}
