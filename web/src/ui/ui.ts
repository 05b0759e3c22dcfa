// The viewer page's app: connect screen, status, credentials, server verification, control bar, settings and reconnection around one RFB.

import { RFB } from '../index';
import type { Capabilities, ClipboardAccess, CredentialType } from '../index';
import { ExtraKeys, isTouchDevice, Panels, toggleFullscreen } from './controlbar';
import { CredentialsDialog, ServerVerificationDialog } from './dialogs';
import type { ServerKeyInfo } from './dialogs';
import { insertIcons } from './icons';
import { explainFailure, isClipped, screenLayout } from './layout';
import {
  loadSettings,
  saveSetting,
  urlParam,
  websocketUrl,
  type LogLevel,
  type SettingName,
  type Settings,
  type SettingsStorage,
} from './settings';

type State = 'idle' | 'connecting' | 'connected' | 'disconnecting' | 'reconnecting';
type Level = 'normal' | 'warn' | 'error';

const logLevels: LogLevel[] = ['error', 'warn', 'info', 'debug'];

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page.html lacks #${id}`);
  return el as T;
};

/** localStorage, or null where the browser forbids it (it throws on access in some privacy modes). */
function browserStorage(): SettingsStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

class App {
  private readonly storage = browserStorage();
  private readonly url = new URL(location.href);
  // On phones and tablets a desktop shown unscaled is mostly out of reach: scale it by default.
  private readonly settings: Settings = loadSettings(this.url, this.storage, location, {
    resize: matchMedia('(pointer: coarse)').matches ? 'scale' : 'off',
  });
  /** The password from the URL or the dialog, kept in memory (never stored) for reconnecting. */
  private password: string | null = urlParam(this.url, 'password');
  private readonly useWorker = urlParam(this.url, 'worker');

  private rfb: RFB | null = null;
  private state: State = 'idle';
  private desktopName = '';
  private userDisconnect = false;
  private reconnectAfterDisconnect = false;
  private securityFailed = false;
  private serverRejected = false;
  /** The server key fingerprint the person approved: reconnections to the same key do not ask again. */
  private trustedFingerprint: string | null = null;
  /** The fingerprint of the key being asked about. */
  private pendingFingerprint: string | null = null;
  private wasConnected = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private audio: AudioContext | null = null;

  private readonly screen = $<HTMLDivElement>('screen');
  private readonly status = $<HTMLParagraphElement>('status');
  private readonly message = $<HTMLDivElement>('message');
  private readonly connectButton = $<HTMLButtonElement>('connect');
  private readonly cancelReconnect = $<HTMLButtonElement>('cancel-reconnect');
  private readonly clipboardText = $<HTMLTextAreaElement>('clipboard-text');
  private readonly viewOnlyButton = $<HTMLButtonElement>('view-only-button');
  private readonly powerButton = $<HTMLButtonElement>('power-button');
  private readonly viewDragButton = $<HTMLButtonElement>('view-drag-button');
  private readonly settingsForm = $<HTMLFormElement>('settings-form');
  private readonly panels = new Panels();
  private readonly extraKeys = new ExtraKeys($('keys-panel'), () => this.rfb);
  private readonly credentials = new CredentialsDialog({
    submit: (c) => {
      if (c.password !== undefined) this.password = c.password;
      this.setStatus('Authenticating…');
      this.rfb?.sendCredentials(c);
    },
    cancel: () => this.disconnect(),
  });
  private readonly verification = new ServerVerificationDialog({
    approve: () => this.approveServer(),
    reject: () => {
      this.serverRejected = true;
      this.rfb?.rejectServer();
    },
  });

  start(): void {
    insertIcons(document);
    this.bindControls();
    this.bindSettingsForm();
    this.showTarget();
    const ro = new ResizeObserver(() => this.layoutScreen());
    ro.observe(this.screen);
    window.addEventListener('resize', () => this.layoutScreen());
    if (this.settings.autoconnect) this.connect();
    else this.setState('idle', 'Ready to connect');
  }

  // --- status ---

  private log(level: LogLevel, text: string): void {
    if (logLevels.indexOf(level) <= logLevels.indexOf(this.settings.logging)) {
      console[level === 'debug' ? 'debug' : level](`vncgate: ${text}`);
    }
  }

  private setStatus(text: string, level: Level = 'normal'): void {
    this.status.textContent = text;
    this.status.dataset.level = level;
    this.log(level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'info', text);
  }

  /** The message on the connect screen (`reason`: the technical cause, smaller); no title hides it. */
  private showMessage(title: string, detail = '', level: Level = 'error', reason = ''): void {
    this.message.hidden = !title;
    this.message.dataset.level = level;
    $('message-title').textContent = title;
    $('message-detail').textContent = detail;
    const why = $('message-reason');
    why.textContent = reason;
    why.hidden = !reason;
  }

  private setState(state: State, status?: string, level: Level = 'normal'): void {
    // The session's panels go with the session; Settings stays open (e.g. while reconnecting).
    if (this.state === 'connected' && state !== 'connected') this.panels.close(false);
    this.state = state;
    const root = document.documentElement;
    root.dataset.state = state;
    root.classList.toggle('vncgate-connected', state === 'connected');
    root.classList.toggle('vncgate-reconnecting', state === 'reconnecting');
    this.screen.setAttribute('aria-busy', String(state === 'connecting'));
    this.connectButton.hidden = state === 'connected';
    this.connectButton.disabled = state === 'connecting' || state === 'disconnecting';
    this.connectButton.textContent =
      state === 'connecting'
        ? 'Connecting…'
        : state === 'reconnecting'
          ? 'Reconnect now'
          : 'Connect';
    this.cancelReconnect.hidden = state !== 'reconnecting';
    $('connect-settings').hidden = state === 'reconnecting';
    if (status !== undefined) this.setStatus(status, level);
  }

  private showTarget(): void {
    $('target').textContent = websocketUrl(this.settings);
    $('target-lock').hidden = !this.settings.encrypt;
  }

  // --- the connection ---

  private connect(): void {
    if (this.rfb) return;
    clearTimeout(this.reconnectTimer);
    this.userDisconnect = false;
    this.securityFailed = false;
    this.serverRejected = false;
    this.wasConnected = false;
    if (!this.settings.host) {
      this.setState('idle', 'No host to connect to', 'error');
      this.showMessage('No host', 'Set the host in Settings.');
      return;
    }
    const url = websocketUrl(this.settings);
    if (this.state !== 'reconnecting') this.showMessage('');
    this.setState(
      'connecting',
      `Connecting to ${this.settings.host}${this.settings.port ? `:${this.settings.port}` : ''}…`,
    );
    this.screen.replaceChildren();
    const rfb = new RFB(this.screen, url, {
      shared: this.settings.shared,
      credentials: this.password !== null ? { password: this.password } : undefined,
      useWorker: this.useWorker === null ? undefined : this.useWorker === '1',
      qualityLevel: this.settings.quality,
      compressionLevel: this.settings.compression,
    });
    this.rfb = rfb;
    this.setViewDrag(false);
    this.viewDragButton.hidden = true;
    // For debugging and the end-to-end tests.
    (window as unknown as { vncgateRfb: RFB }).vncgateRfb = rfb;
    // An application: keys typed on it go to the remote desktop, not to the screen reader.
    rfb.canvas.setAttribute('role', 'application');
    rfb.canvas.setAttribute('aria-label', 'Remote desktop screen');
    this.applyViewSettings();
    const on = <T>(name: string, fn: (detail: T) => void) =>
      rfb.addEventListener(name, (e) => {
        if (this.rfb === rfb) fn((e as CustomEvent<T>).detail);
      });
    on('connect', () => this.onConnect());
    on<{ name: string }>('desktopname', ({ name }) => this.onDesktopName(name));
    on<{ types: CredentialType[] }>('credentialsrequired', ({ types }) => {
      this.credentials.open(types);
      this.setStatus('Credentials are required', 'warn');
    });
    on<ServerKeyInfo>('serververification', (key) => this.verifyServer(key));
    on<{ status: number; reason?: string }>('securityfailure', ({ reason }) =>
      this.onSecurityFailure(reason),
    );
    on<{ clean: boolean; reason?: string }>('disconnect', ({ clean, reason }) =>
      this.onDisconnect(clean, reason),
    );
    on<{ text: string }>('clipboard', ({ text }) => {
      this.clipboardText.value = text;
    });
    on('bell', () => this.bell());
    on<{ capabilities: Capabilities }>('capabilities', ({ capabilities }) => {
      this.powerButton.hidden = !capabilities.power;
    });
    on('resize', () => this.layoutScreen());
    on<{ access: ClipboardAccess }>('clipboardaccess', ({ access }) =>
      this.showClipboardAccess(access),
    );
    this.showClipboardAccess(rfb.clipboardAccess);
  }

  /** Asks the person to trust the server's key, unless they already did on this page. */
  private verifyServer(key: ServerKeyInfo): void {
    this.pendingFingerprint = key.fingerprint;
    if (key.fingerprint === this.trustedFingerprint) {
      this.approveServer();
      return;
    }
    this.verification.open(key);
    this.setStatus('Verify the server before connecting', 'warn');
  }

  private approveServer(): void {
    this.trustedFingerprint = this.pendingFingerprint;
    this.setStatus('Authenticating…');
    this.rfb?.approveServer();
  }

  private onConnect(): void {
    this.wasConnected = true;
    this.showMessage('');
    this.setState('connected', this.connectedText());
    this.layoutScreen();
    this.rfb?.focus({ preventScroll: true });
  }

  private connectedText(): string {
    const where = this.desktopName || this.settings.host;
    return `Connected to ${where}${this.settings.encrypt ? ' (encrypted)' : ''}`;
  }

  private onDesktopName(name: string): void {
    this.desktopName = name;
    document.title = name ? `${name} · vncgate` : 'vncgate';
    $('desktop-name').textContent = name || 'vncgate';
    if (this.state === 'connected') this.setStatus(this.connectedText());
  }

  private onSecurityFailure(reason?: string): void {
    this.securityFailed = true;
    // A refused password must not be sent again by a reconnection.
    this.password = null;
    this.setStatus('Authentication failed: check the password', 'error');
    this.showMessage(
      'Authentication failed',
      'The server refused the credentials. Check the password and connect again.',
      'error',
      reason ? `The server said: ${reason}` : '',
    );
  }

  private onDisconnect(clean: boolean, reason?: string): void {
    this.rfb = null;
    this.setViewDrag(false);
    this.viewDragButton.hidden = true;
    this.credentials.close();
    this.verification.close();
    this.extraKeys.releaseAll(false);
    this.powerButton.hidden = true;
    document.title = 'vncgate';
    $('desktop-name').textContent = 'vncgate';
    this.desktopName = '';
    this.log('info', `disconnected (clean ${clean}${reason ? `, ${reason}` : ''})`);
    if (this.reconnectAfterDisconnect) {
      this.reconnectAfterDisconnect = false;
      this.connect();
      return;
    }
    if (this.userDisconnect) {
      this.setState('idle', 'Disconnected');
      this.showMessage('');
      return;
    }
    if (this.securityFailed) {
      this.setState('idle');
      return;
    }
    if (this.serverRejected) {
      this.setState('idle', 'Not connected: the server was not trusted', 'warn');
      this.showMessage(
        'Server not trusted',
        "You rejected the server's identity key. Connect again to check it again.",
        'warn',
      );
      return;
    }
    // With reconnect on, keep trying (every reconnect_delay ms) until it works or the user cancels.
    if (this.settings.reconnect) {
      const { title } = explainFailure(clean ? undefined : reason, this.wasConnected || clean);
      this.scheduleReconnect(title);
      return;
    }
    if (clean) {
      this.setState('idle', 'Disconnected');
      this.showMessage('Disconnected', 'The server ended the session.', 'warn');
    } else {
      this.setState('idle', `Disconnected: ${reason ?? 'connection failed'}`, 'error');
      const { title, detail } = explainFailure(reason, this.wasConnected);
      this.showMessage(title, detail, 'error', reason ?? '');
    }
  }

  /** Tries again after reconnect_delay ms; `title` says what happened. */
  private scheduleReconnect(title: string): void {
    const seconds = Math.round(this.settings.reconnectDelay / 100) / 10;
    this.setState('reconnecting', `Reconnecting in ${seconds} s…`, 'warn');
    this.showMessage(title, 'Reconnecting automatically…', 'warn');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.state === 'reconnecting') this.connect();
    }, this.settings.reconnectDelay);
  }

  private disconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.userDisconnect = true;
    if (this.rfb) {
      this.setState('disconnecting', 'Disconnecting…');
      this.rfb.disconnect();
    } else {
      this.setState('idle', 'Disconnected');
      this.showMessage('');
    }
  }

  private reconnectNow(): void {
    if (!this.rfb) {
      this.connect();
      return;
    }
    this.reconnectAfterDisconnect = true;
    this.setState('disconnecting', 'Reconnecting…');
    this.rfb.disconnect();
  }

  // --- the remote screen ---

  private applyViewSettings(): void {
    const rfb = this.rfb;
    this.screen.classList.toggle('clip', this.settings.viewClip);
    this.screen.dataset.resize = this.settings.resize;
    this.viewOnlyButton.setAttribute('aria-pressed', String(this.settings.viewOnly));
    if (!rfb) return;
    rfb.viewOnly = this.settings.viewOnly;
    rfb.showDotCursor = this.settings.showDot;
    rfb.scaleViewport = this.settings.resize === 'scale';
    rfb.resizeSession = this.settings.resize === 'remote';
    this.layoutScreen();
  }

  /** Sizes the canvas for the resize mode; whole device-pixel scales are drawn crisp. */
  private layoutScreen(): void {
    const rfb = this.rfb;
    if (!rfb) return;
    const fb = rfb.framebufferSize;
    const layout = screenLayout(
      fb.width,
      fb.height,
      this.screen.clientWidth,
      this.screen.clientHeight,
      this.settings.resize,
      window.devicePixelRatio || 1,
    );
    if (!layout) return;
    const c = rfb.canvas.style;
    c.width = `${layout.cssWidth}px`;
    c.height = `${layout.cssHeight}px`;
    c.imageRendering = layout.imageRendering === 'pixelated' ? 'pixelated' : 'auto';
    const clipped = isClipped(
      layout,
      this.screen.clientWidth,
      this.screen.clientHeight,
      this.settings.resize,
      this.settings.viewClip,
    );
    // Drag viewport is offered only while part of the screen is out of reach (as in noVNC).
    this.viewDragButton.hidden = !clipped;
    if (!clipped && rfb.dragViewport) this.setViewDrag(false);
  }

  /** Turns drag viewport on or off for the session. */
  private setViewDrag(on: boolean): void {
    if (this.rfb) this.rfb.dragViewport = on;
    this.viewDragButton.setAttribute('aria-pressed', String(on && this.rfb !== null));
    this.screen.dataset.drag = String(on && this.rfb !== null);
  }

  /** Says in the clipboard panel whether the clipboard also syncs by itself. */
  private showClipboardAccess(access: ClipboardAccess): void {
    const both = access.read && access.write;
    $('clipboard-hint').textContent = both
      ? 'The clipboard syncs automatically both ways. Text copied on the remote desktop also appears here.'
      : access.write
        ? 'Text copied on the remote desktop is copied here automatically. To paste on the remote desktop, edit this text.'
        : 'Text copied on the remote desktop appears here. Edit it to paste on the remote desktop.';
  }

  private bell(): void {
    if (!this.settings.bell) return;
    try {
      this.audio ??= new AudioContext();
      const osc = this.audio.createOscillator();
      const gain = this.audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.05;
      osc.connect(gain).connect(this.audio.destination);
      osc.start();
      osc.stop(this.audio.currentTime + 0.12);
    } catch {
      // No audio here: the bell stays silent.
    }
  }

  // --- controls ---

  private bindControls(): void {
    this.connectButton.addEventListener('click', () => this.connect());
    this.cancelReconnect.addEventListener('click', () => this.disconnect());
    $('connect-settings').addEventListener('click', () =>
      this.panels.show($('settings-panel'), $('settings-button')),
    );
    for (const id of ['keys-button', 'clipboard-button', 'settings-button', 'power-button']) {
      this.panels.bind($(id), id !== 'keys-button' && id !== 'power-button');
    }
    $('disconnect-button').addEventListener('click', () => this.disconnect());
    $('reconnect-button').addEventListener('click', () => this.reconnectNow());
    this.viewOnlyButton.addEventListener('click', () =>
      this.changeSetting('viewOnly', !this.settings.viewOnly),
    );
    this.viewDragButton.addEventListener('click', () => this.setViewDrag(!this.rfb?.dragViewport));

    const fullscreen = $<HTMLButtonElement>('fullscreen-button');
    fullscreen.hidden = !document.fullscreenEnabled;
    fullscreen.addEventListener('click', () => void toggleFullscreen());
    document.addEventListener('fullscreenchange', () =>
      fullscreen.setAttribute('aria-pressed', String(document.fullscreenElement !== null)),
    );

    const keyboardButton = $<HTMLButtonElement>('keyboard-button');
    keyboardButton.hidden = !isTouchDevice();
    keyboardButton.addEventListener('click', () => this.rfb?.showKeyboard());

    const sendClipboard = () => this.rfb?.clipboardPasteFrom(this.clipboardText.value);
    this.clipboardText.addEventListener('change', sendClipboard);
    $('clipboard-send').addEventListener('click', sendClipboard);
    $('clipboard-clear').addEventListener('click', () => {
      this.clipboardText.value = '';
      this.clipboardText.focus();
    });

    const power = (action: (rfb: RFB) => void, what: string) => () => {
      if (this.rfb) {
        action(this.rfb);
        this.setStatus(`${what} requested`);
      }
      this.panels.close(true);
    };
    $('power-shutdown').addEventListener(
      'click',
      power((r) => r.machineShutdown(), 'Shutdown'),
    );
    $('power-reboot').addEventListener(
      'click',
      power((r) => r.machineReboot(), 'Reboot'),
    );
    $('power-reset').addEventListener(
      'click',
      power((r) => r.machineReset(), 'Reset'),
    );
  }

  // --- settings ---

  private field(name: SettingName): HTMLInputElement | HTMLSelectElement | null {
    return this.settingsForm.elements.namedItem(name) as
      HTMLInputElement | HTMLSelectElement | null;
  }

  private showSetting(name: SettingName): void {
    const el = this.field(name);
    const value = this.settings[name];
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = Boolean(value);
    else if (el) el.value = String(value);
    if (name === 'quality' || name === 'compression')
      $(`${name}-value`).textContent = String(value);
  }

  private bindSettingsForm(): void {
    for (const name of Object.keys(this.settings) as SettingName[]) this.showSetting(name);
    this.settingsForm.addEventListener('submit', (e) => e.preventDefault());
    const read = (e: Event) => {
      const el = e.target as HTMLInputElement | HTMLSelectElement;
      const name = el.name as SettingName;
      if (!(name in this.settings)) return;
      let value: unknown;
      if (el instanceof HTMLInputElement && el.type === 'checkbox') value = el.checked;
      else if (el instanceof HTMLInputElement && (el.type === 'range' || el.type === 'number')) {
        value = Number(el.value);
        if (!Number.isFinite(value as number)) return;
      } else value = el.value.trim();
      this.changeSetting(name, value as Settings[typeof name]);
    };
    this.settingsForm.addEventListener('change', read);
    // Sliders show their value while they move.
    this.settingsForm.addEventListener('input', (e) => {
      const el = e.target as HTMLInputElement;
      if (el.type === 'range') $(`${el.name}-value`).textContent = el.value;
    });
  }

  /** Sets, stores and applies one setting (connection settings apply to the next connection). */
  private changeSetting<K extends SettingName>(name: K, value: Settings[K]): void {
    this.settings[name] = value;
    saveSetting(this.storage, name, value);
    this.showSetting(name);
    const rfb = this.rfb;
    switch (name) {
      case 'quality':
        if (rfb) rfb.qualityLevel = this.settings.quality;
        break;
      case 'compression':
        if (rfb) rfb.compressionLevel = this.settings.compression;
        break;
      case 'host':
      case 'port':
      case 'path':
      case 'encrypt':
        this.showTarget();
        break;
      default:
        this.applyViewSettings();
    }
  }
}

/** Starts the page: reads the settings and connects at once when autoconnect is set. */
export function startUi(): void {
  new App().start();
}
