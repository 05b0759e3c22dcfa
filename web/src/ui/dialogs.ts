// The credentials dialog: asks for the username and/or password the server wants, as a modal dialog.

import type { Credentials, CredentialType } from '../index';

export interface CredentialsDialogEvents {
  submit(credentials: Credentials): void;
  cancel(): void;
}

/** The <dialog id="credentials-dialog"> of page.html. */
export class CredentialsDialog {
  private readonly dialog = document.getElementById('credentials-dialog') as HTMLDialogElement;
  private readonly form = document.getElementById('credentials') as HTMLFormElement;
  private readonly username = document.getElementById('username') as HTMLInputElement;
  private readonly password = document.getElementById('password') as HTMLInputElement;
  private readonly usernameField = document.getElementById('username-field') as HTMLElement;
  private readonly passwordField = document.getElementById('password-field') as HTMLElement;
  private readonly hint = document.getElementById('credentials-hint') as HTMLElement;
  private types: CredentialType[] = [];

  constructor(private readonly events: CredentialsDialogEvents) {
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
    // Escape closes a modal dialog by itself; treat it as Cancel.
    this.dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      this.cancel();
    });
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
    if (!this.dialog.open) {
      if (typeof this.dialog.showModal === 'function') this.dialog.showModal();
      else this.dialog.setAttribute('open', '');
    }
    (wantsUser ? this.username : this.password).focus();
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
    this.dialog.removeAttribute('open');
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  private cancel(): void {
    this.password.value = '';
    this.close();
    this.events.cancel();
  }
}
