// Clipboard sync with a fake async Clipboard API: both directions, no echo, permission handling and fallbacks.

import { describe, expect, it } from 'vitest';
import type { ClipboardAccess, ClipboardLike } from '../../src/input/clipboard';
import { ClipboardSync } from '../../src/input/clipboard';

function setup(
  opts: {
    permission?: PermissionState | null;
    failWrite?: boolean;
    failRead?: boolean;
    noClipboard?: boolean;
  } = {},
) {
  const local = { text: '', writes: [] as string[], reads: 0 };
  let failWrite = opts.failWrite ?? false;
  const clipboard: ClipboardLike = {
    readText: async () => {
      local.reads++;
      if (opts.failRead) throw new DOMException('no', 'NotAllowedError');
      return local.text;
    },
    writeText: async (t: string) => {
      if (failWrite) throw new DOMException('not focused', 'NotAllowedError');
      local.text = t;
      local.writes.push(t);
    },
  };
  const sent: string[] = [];
  const accessLog: ClipboardAccess[] = [];
  const sync = new ClipboardSync({
    clipboard: opts.noClipboard ? null : clipboard,
    send: (t) => sent.push(t),
    accessChanged: (a) => accessLog.push(a),
    queryPermission: async () => (opts.permission === undefined ? 'granted' : opts.permission),
  });
  return { sync, local, sent, accessLog, setFailWrite: (v: boolean) => (failWrite = v) };
}

describe('ClipboardSync', () => {
  it('writes server text locally and sends changed local text, never echoing', async () => {
    const t = setup();
    await t.sync.fromServer('from server');
    expect(t.local.writes).toEqual(['from server']);
    expect(await t.sync.pull()).toBeNull(); // the same text: not sent back
    t.local.text = 'from browser';
    expect(await t.sync.pull()).toBe('from browser');
    expect(await t.sync.pull()).toBeNull();
    expect(t.sent).toEqual(['from browser']);
    expect(t.sync.access).toEqual({ read: true, write: true });
  });

  it('does not send an empty clipboard', async () => {
    const t = setup();
    expect(await t.sync.pull()).toBeNull();
    expect(t.sent).toEqual([]);
  });

  it('reports a failed write and writes it when the user is back', async () => {
    const t = setup({ failWrite: true });
    await t.sync.pull(); // read access known
    await t.sync.fromServer('later');
    expect(t.sync.access.write).toBe(false);
    expect(t.accessLog.at(-1)).toEqual({ read: true, write: false });
    t.setFailWrite(false);
    await t.sync.pull();
    expect(t.local.writes).toEqual(['later']);
    expect(t.sync.access.write).toBe(true);
    expect(t.sent).toEqual([]); // what it just wrote is not sent back
  });

  it('does not read where the browser cannot say it may (Firefox, Safari)', async () => {
    const t = setup({ permission: null });
    t.local.text = 'secret';
    expect(await t.sync.pull()).toBeNull();
    expect(t.local.reads).toBe(0);
    expect(t.sync.access.read).toBe(false);
  });

  it('does not read when the permission is denied', async () => {
    const t = setup({ permission: 'denied' });
    t.local.text = 'x';
    await t.sync.pull();
    expect(t.local.reads).toBe(0);
    expect(t.sync.access).toEqual({ read: false, write: true });
  });

  it('reports a failed read', async () => {
    const t = setup({ failRead: true });
    await t.sync.pull();
    expect(t.sync.access.read).toBe(false);
    expect(t.sent).toEqual([]);
  });

  it('without the Clipboard API: no automatic sync, the panel pastes', async () => {
    const t = setup({ noClipboard: true });
    await t.sync.fromServer('x');
    expect(await t.sync.pull()).toBeNull();
    expect(t.sync.access).toEqual({ read: false, write: false });
    t.sync.paste('typed in the panel');
    expect(t.sent).toEqual(['typed in the panel']);
  });

  it('does nothing automatic when disabled', async () => {
    const t = setup();
    t.sync.enabled = false;
    t.local.text = 'y';
    await t.sync.fromServer('x');
    expect(await t.sync.pull()).toBeNull();
    expect(t.local.writes).toEqual([]);
    expect(t.sent).toEqual([]);
  });

  it('a pasted text is not sent again by the next pull', async () => {
    const t = setup();
    t.sync.paste('p');
    t.local.text = 'p';
    await t.sync.pull();
    expect(t.sent).toEqual(['p']);
  });
});

describe('ClipboardSync without a user gesture', () => {
  it('reads only once reading needs no prompt', async () => {
    const t = setup({ permission: 'prompt' });
    t.local.text = 'a';
    expect(await t.sync.pull(false)).toBeNull(); // window focus: would prompt
    expect(t.local.reads).toBe(0);
    expect(await t.sync.pull(true)).toBe('a'); // a click: may prompt
    t.local.text = 'b';
    expect(await t.sync.pull(false)).toBe('b'); // granted now
  });

  it('reads at once when the permission is already granted', async () => {
    const t = setup({ permission: 'granted' });
    t.local.text = 'c';
    expect(await t.sync.pull(false)).toBe('c');
  });
});
