// The minimal viewer page's script: reads noVNC-compatible URL parameters and drives an RFB.

import { RFB } from '../index';

const params = new URLSearchParams(location.search);
const param = (name: string, fallback = ''): string => params.get(name) ?? fallback;
const flag = (name: string, fallback: boolean): boolean => {
  const v = params.get(name);
  return v === null ? fallback : v === '1' || v === 'true' || v === 'yes';
};

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const statusEl = $<HTMLSpanElement>('status');
const form = $<HTMLFormElement>('credentials');
const userInput = $<HTMLInputElement>('username');
const passInput = $<HTMLInputElement>('password');
const connectButton = $<HTMLButtonElement>('connect');
const screen = $<HTMLDivElement>('screen');

function setStatus(text: string, level: 'normal' | 'error' = 'normal'): void {
  statusEl.textContent = text;
  statusEl.dataset.level = level;
}

/** The WebSocket URL from host, port, path and encrypt, defaulting to this page's origin. */
export function websocketUrl(): string {
  const encrypt = flag('encrypt', location.protocol === 'https:');
  const host = param('host', location.hostname);
  const port = param('port', location.port);
  const path = param('path', 'websockify').replace(/^\//, '');
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${encrypt ? 'wss' : 'ws'}://${h}${port ? `:${port}` : ''}/${path}`;
}

let rfb: RFB | null = null;

function connect(): void {
  connectButton.hidden = true;
  screen.replaceChildren();
  const url = websocketUrl();
  setStatus(`Connecting to ${url}`);
  const password = params.get('password');
  const worker = params.get('worker');
  rfb = new RFB(screen, url, {
    shared: flag('shared', true),
    credentials: password !== null ? { password } : undefined,
    useWorker: worker === null ? undefined : worker === '1',
    qualityLevel: Number(param('quality', '6')),
    compressionLevel: Number(param('compression', '2')),
  });
  // For debugging and the end-to-end tests.
  (window as unknown as { vncgateRfb: RFB }).vncgateRfb = rfb;
  rfb.viewOnly = flag('view_only', false);
  rfb.showDotCursor = flag('show_dot', false);
  rfb.resizeSession = param('resize') === 'remote';
  rfb.scaleViewport = param('resize') === 'scale';
  let name = '';
  rfb.addEventListener('connect', () => {
    form.hidden = true;
    document.documentElement.classList.add('vncgate-connected');
    setStatus(`Connected${name ? ` to ${name}` : ''}${rfb!.usesWorker ? '' : ' (main thread)'}`);
    rfb!.focus();
  });
  rfb.addEventListener('desktopname', (e) => {
    name = (e as CustomEvent<{ name: string }>).detail.name;
    document.title = `${name} - vncgate`;
    if (document.documentElement.classList.contains('vncgate-connected'))
      setStatus(`Connected to ${name}`);
  });
  rfb.addEventListener('credentialsrequired', (e) => {
    const types = (e as CustomEvent<{ types: string[] }>).detail.types;
    userInput.hidden = !types.includes('username');
    form.hidden = false;
    setStatus('Credentials are required');
    (userInput.hidden ? passInput : userInput).focus();
  });
  rfb.addEventListener('securityfailure', (e) => {
    const { reason } = (e as CustomEvent<{ status: number; reason?: string }>).detail;
    setStatus(`Security failure${reason ? `: ${reason}` : ''}`, 'error');
  });
  rfb.addEventListener('disconnect', (e) => {
    const { clean, reason } = (e as CustomEvent<{ clean: boolean; reason?: string }>).detail;
    document.documentElement.classList.remove('vncgate-connected');
    form.hidden = true;
    if (!clean) setStatus(`Disconnected: ${reason ?? 'connection failed'}`, 'error');
    else setStatus('Disconnected');
    connectButton.hidden = false;
    rfb = null;
  });
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  form.hidden = true;
  setStatus('Authenticating');
  rfb?.sendCredentials(
    userInput.hidden
      ? { password: passInput.value }
      : { username: userInput.value, password: passInput.value },
  );
  passInput.value = '';
});
connectButton.addEventListener('click', connect);

if (flag('autoconnect', false)) connect();
else {
  setStatus('Ready');
  connectButton.hidden = false;
}
