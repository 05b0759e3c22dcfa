// Tests for the page's settings: noVNC's URL parameters and defaults, localStorage, the WebSocket URL.

import { describe, expect, it } from 'vitest';
import {
  defaultSettings,
  loadSettings,
  parseBoolean,
  parseSetting,
  saveSetting,
  urlParam,
  websocketUrl,
  type SettingsStorage,
} from '../../src/ui/settings';

const page = { protocol: 'http:', hostname: 'gw.example', port: '6080' };

class MemoryStorage implements SettingsStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const load = (href: string, storage: SettingsStorage | null = null, where = page) =>
  loadSettings(new URL(href), storage, where);

describe('defaults', () => {
  it('are noVNC defaults taken from the page location', () => {
    expect(defaultSettings(page)).toEqual({
      host: 'gw.example',
      port: '6080',
      path: 'websockify',
      encrypt: false,
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
    });
  });

  it('use port 443 and encryption on an https page without a port, 80 on http', () => {
    const s = defaultSettings({ protocol: 'https:', hostname: 'h', port: '' });
    expect([s.port, s.encrypt]).toEqual(['443', true]);
    expect(defaultSettings({ protocol: 'http:', hostname: 'h', port: '' }).port).toBe('80');
  });
});

describe('URL parameters', () => {
  it('take every noVNC name with its meaning', () => {
    const s = load(
      'http://gw.example:6080/vnc.html?host=10.0.0.5&port=5901&path=ws%3Ftoken%3Dabc&encrypt=1' +
        '&autoconnect=true&reconnect=1&reconnect_delay=250&resize=remote&view_only=1' +
        '&view_clip=1&shared=0&quality=3&compression=9&show_dot=true&logging=debug&bell=off',
    );
    expect(s).toEqual({
      host: '10.0.0.5',
      port: '5901',
      path: 'ws?token=abc',
      encrypt: true,
      autoconnect: true,
      reconnect: true,
      reconnectDelay: 250,
      resize: 'remote',
      viewOnly: true,
      viewClip: true,
      shared: false,
      quality: 3,
      compression: 9,
      showDot: true,
      logging: 'debug',
      bell: false,
    });
  });

  it('read the hash before the query string, as noVNC', () => {
    const url = new URL('http://h/vnc.html?host=a&port=1#host=b&password=x');
    expect(urlParam(url, 'host')).toBe('b');
    expect(urlParam(url, 'port')).toBe('1');
    expect(urlParam(url, 'password')).toBe('x');
    expect(urlParam(url, 'path')).toBeNull();
    expect(load('http://h/vnc.html?resize=scale#resize=remote').resize).toBe('remote');
  });

  it('autoconnect only for "true" and "1"', () => {
    for (const [v, want] of [
      ['1', true],
      ['true', true],
      ['yes', false],
      ['0', false],
      ['false', false],
    ] as const) {
      expect(load(`http://h/?autoconnect=${v}`).autoconnect, v).toBe(want);
    }
  });

  it('booleans are false for 0, no, false (any case), true otherwise', () => {
    expect(['0', 'no', 'FALSE', 'False'].map(parseBoolean)).toEqual([false, false, false, false]);
    expect(['1', 'true', 'yes', 'on', ''].map(parseBoolean)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(load('http://h/?shared=no&view_only=yes').shared).toBe(false);
    expect(load('http://h/?shared=no&view_only=yes').viewOnly).toBe(true);
  });

  it('ignore invalid values and clamp levels to 0..9', () => {
    const s = load(
      'http://h:1/?resize=zoom&logging=loud&reconnect_delay=-5&quality=42&compression=x',
    );
    expect([s.resize, s.logging, s.reconnectDelay, s.quality, s.compression]).toEqual([
      'off',
      'warn',
      5000,
      9,
      2,
    ]);
    expect(parseSetting('quality', '-3', defaultSettings(page))).toBe(0);
  });

  it('defaults can be overridden (scaling on phones), under storage and the URL', () => {
    const storage = new MemoryStorage();
    const phone = { resize: 'scale' as const };
    expect(loadSettings(new URL('http://h/'), storage, page, phone).resize).toBe('scale');
    expect(loadSettings(new URL('http://h/?resize=off'), storage, page, phone).resize).toBe('off');
    storage.setItem('resize', 'remote');
    expect(loadSettings(new URL('http://h/'), storage, page, phone).resize).toBe('remote');
  });

  it('bell rings unless it is off', () => {
    expect(load('http://h/?bell=on').bell).toBe(true);
    expect(load('http://h/?bell=off').bell).toBe(false);
    expect(load('http://h/?bell=0').bell).toBe(false);
  });
});

describe('localStorage', () => {
  it('supplies values under the URL and over the defaults, with noVNC keys', () => {
    const storage = new MemoryStorage();
    storage.setItem('resize', 'scale');
    storage.setItem('quality', '1');
    storage.setItem('view_only', 'true');
    storage.setItem('reconnect_delay', '900');
    const s = load('http://gw.example:6080/vnc.html?quality=4', storage);
    expect([s.resize, s.quality, s.viewOnly, s.reconnectDelay]).toEqual(['scale', 4, true, 900]);
  });

  it('never supplies autoconnect (it comes from the URL only)', () => {
    const storage = new MemoryStorage();
    storage.setItem('autoconnect', 'true');
    expect(load('http://h/', storage).autoconnect).toBe(false);
  });

  it('round-trips every stored setting through saveSetting', () => {
    const storage = new MemoryStorage();
    const want = {
      ...defaultSettings(page),
      host: 'other',
      port: '7000',
      path: 'p/q',
      encrypt: true,
      reconnect: true,
      reconnectDelay: 1234,
      resize: 'scale' as const,
      viewOnly: true,
      viewClip: true,
      shared: false,
      quality: 0,
      compression: 8,
      showDot: true,
      logging: 'error' as const,
      bell: false,
    };
    for (const [k, v] of Object.entries(want)) {
      saveSetting(storage, k as keyof typeof want, v as never);
    }
    expect(storage.items.has('autoconnect')).toBe(false);
    expect(storage.getItem('view_only')).toBe('true');
    expect(storage.getItem('bell')).toBe('off');
    expect(load('http://gw.example:6080/', storage)).toEqual(want);
  });

  it('storage that throws counts as empty, and saving reports the refusal', () => {
    const broken: SettingsStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
    };
    expect(load('http://gw.example:6080/', broken)).toEqual(defaultSettings(page));
    expect(saveSetting(broken, 'quality', 3)).toBe(false);
    expect(saveSetting(null, 'quality', 3)).toBe(false);
  });
});

describe('websocketUrl', () => {
  it('builds scheme://host:port/path as noVNC does', () => {
    expect(websocketUrl({ host: 'h', port: '6080', path: 'websockify', encrypt: false })).toBe(
      'ws://h:6080/websockify',
    );
    expect(websocketUrl({ host: 'h', port: '', path: '/ws?token=a', encrypt: true })).toBe(
      'wss://h/ws?token=a',
    );
    expect(websocketUrl({ host: '::1', port: '1', path: '', encrypt: false })).toBe(
      'ws://[::1]:1/',
    );
  });
});
