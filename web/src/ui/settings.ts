// The page's settings: noVNC's names and defaults, read from the URL (hash, then query) over localStorage.

export type ResizeMode = 'off' | 'scale' | 'remote';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Settings {
  host: string;
  port: string;
  path: string;
  encrypt: boolean;
  autoconnect: boolean;
  reconnect: boolean;
  /** Milliseconds between reconnection attempts. */
  reconnectDelay: number;
  resize: ResizeMode;
  viewOnly: boolean;
  viewClip: boolean;
  shared: boolean;
  quality: number;
  compression: number;
  showDot: boolean;
  logging: LogLevel;
  bell: boolean;
}

export type SettingName = keyof Settings;

/** The URL parameter and localStorage key of each setting: noVNC's names. */
export const paramNames: Readonly<Record<SettingName, string>> = {
  host: 'host',
  port: 'port',
  path: 'path',
  encrypt: 'encrypt',
  autoconnect: 'autoconnect',
  reconnect: 'reconnect',
  reconnectDelay: 'reconnect_delay',
  resize: 'resize',
  viewOnly: 'view_only',
  viewClip: 'view_clip',
  shared: 'shared',
  quality: 'quality',
  compression: 'compression',
  showDot: 'show_dot',
  logging: 'logging',
  bell: 'bell',
};

/** Settings that are kept in localStorage when changed on the page (autoconnect only comes from the URL). */
export const storedSettings: readonly SettingName[] = (
  Object.keys(paramNames) as SettingName[]
).filter((name) => name !== 'autoconnect');

/** Where the page was loaded from: supplies the defaults for host, port and encrypt. */
export interface PageLocation {
  protocol: string;
  hostname: string;
  port: string;
}

/** noVNC's defaults; the port is the page's, or 80/443 when the page URL has none. */
export function defaultSettings(page: PageLocation): Settings {
  const https = page.protocol === 'https:';
  return {
    host: page.hostname,
    port: page.port || (https ? '443' : page.protocol === 'http:' ? '80' : ''),
    path: 'websockify',
    encrypt: https,
    autoconnect: false,
    reconnect: false,
    reconnectDelay: 5000,
    resize: 'off',
    viewOnly: false,
    viewClip: false,
    shared: true,
    quality: 6,
    compression: 2,
    showDot: false,
    logging: 'warn',
    bell: true,
  };
}

/** noVNC's reading of a boolean: "0", "no" and "false" (any case) are false, anything else true. */
export function parseBoolean(value: string): boolean {
  return !['0', 'no', 'false', 'off'].includes(value.trim().toLowerCase());
}

function parseLevel(value: string, fallback: number): number {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.max(0, Math.min(9, n)) : fallback;
}

/**
 * Converts the text of one setting (from a URL or localStorage) to its value;
 * returns undefined when the text is not a valid value, so the caller keeps the previous one.
 */
export function parseSetting<K extends SettingName>(
  name: K,
  text: string,
  defaults: Settings,
): Settings[K] | undefined {
  const d = defaults as unknown as Record<SettingName, unknown>;
  let value: unknown;
  switch (name) {
    case 'encrypt':
    case 'reconnect':
    case 'viewOnly':
    case 'viewClip':
    case 'shared':
    case 'showDot':
      value = parseBoolean(text);
      break;
    case 'autoconnect':
      // noVNC autoconnects only for "true" and "1".
      value = text === 'true' || text === '1';
      break;
    case 'bell':
      // noVNC rings unless bell is something other than "on"; accept boolean spellings too.
      value = text === 'on' || (text !== 'off' && parseBoolean(text));
      break;
    case 'quality':
    case 'compression':
      value = parseLevel(text, d[name] as number);
      break;
    case 'reconnectDelay': {
      const n = Number.parseInt(text, 10);
      value = Number.isFinite(n) && n >= 0 ? n : undefined;
      break;
    }
    case 'resize':
      value = ['off', 'scale', 'remote'].includes(text) ? text : undefined;
      break;
    case 'logging':
      value = ['error', 'warn', 'info', 'debug'].includes(text) ? text : undefined;
      break;
    default:
      value = text;
  }
  return value as Settings[K] | undefined;
}

/** The text a setting is stored as (the form noVNC writes: "true"/"false", numbers as digits). */
export function formatSetting<K extends SettingName>(name: K, value: Settings[K]): string {
  if (name === 'bell') return value ? 'on' : 'off';
  return String(value);
}

/** The part of Storage the settings use (localStorage, or a fake in tests). */
export interface SettingsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * A URL parameter as noVNC reads it: the hash (#name=value&...) first, then the
 * query string; null when absent.
 */
export function urlParam(url: URL, name: string): string | null {
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  return hash.get(name) ?? url.searchParams.get(name);
}

/**
 * The settings for this page load: URL parameters over stored values over
 * defaults (noVNC's, with `overrides` on top, e.g. for phones). URL values
 * apply to this load only (they are not written back), as in noVNC. Storage
 * that throws (private mode, blocked cookies) counts as empty.
 */
export function loadSettings(
  url: URL,
  storage: SettingsStorage | null,
  page: PageLocation,
  overrides: Partial<Settings> = {},
): Settings {
  const defaults = { ...defaultSettings(page), ...overrides };
  const settings: Settings = { ...defaults };
  const values = settings as unknown as Record<SettingName, unknown>;
  for (const name of Object.keys(paramNames) as SettingName[]) {
    const key = paramNames[name];
    let text = urlParam(url, key);
    if (text === null && storedSettings.includes(name)) {
      try {
        text = storage?.getItem(key) ?? null;
      } catch {
        text = null;
      }
    }
    if (text === null) continue;
    const value = parseSetting(name, text, defaults);
    if (value !== undefined) values[name] = value;
  }
  return settings;
}

/** Writes one setting to storage; returns false when the storage refused (quota, privacy mode). */
export function saveSetting<K extends SettingName>(
  storage: SettingsStorage | null,
  name: K,
  value: Settings[K],
): boolean {
  if (!storage || !storedSettings.includes(name)) return false;
  try {
    storage.setItem(paramNames[name], formatSetting(name, value));
    return true;
  } catch {
    return false;
  }
}

/**
 * The WebSocket URL for host, port, path and encrypt, built as noVNC does
 * (scheme://host:port/path; the path may carry a query such as ?token=...).
 * An IPv6 address is bracketed.
 */
export function websocketUrl(s: Pick<Settings, 'host' | 'port' | 'path' | 'encrypt'>): string {
  const host = s.host.includes(':') && !s.host.startsWith('[') ? `[${s.host}]` : s.host;
  const port = s.port ? `:${s.port}` : '';
  return `${s.encrypt ? 'wss' : 'ws'}://${host}${port}/${s.path.replace(/^\/+/, '')}`;
}
