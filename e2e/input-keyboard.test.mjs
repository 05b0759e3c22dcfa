// Keyboard end to end: keys typed in chromium reach an xterm on Xvnc (QEMU extended key events) and
// x11vnc (keysyms): shifted characters, Ctrl-C, and AltGr and dead keys under a German X keymap.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { checkGatewayInstalled, gatewayConfig } from './lib/gateway.mjs';
import {
  TEST_TIMEOUT,
  ctrlKey,
  focusXterm,
  holdKey,
  readWhenWritten,
  restartX11vnc,
  typeDe,
  typeUs,
  waitConnected,
  withInputStack,
} from './lib/input-stack.mjs';
import { pollUntil } from './lib/poll.mjs';

/**
 * True once a `sleep` started by the xterm's shell is the terminal's foreground job. A Ctrl-C that
 * comes earlier, while the shell is still starting the command, reaches the shell instead and
 * leaves `sleep` running.
 */
function sleepInForeground(xtermPid) {
  const procs = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // After the name: state ppid pgrp session tty_nr tpgid ...
    const [, ppid, pgrp, , , tpgid] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    procs.push({ pid: Number(pid), comm, ppid, pgrp, tpgid });
  }
  const shells = new Set(procs.filter((p) => p.ppid === xtermPid).map((p) => p.pid));
  return procs.some((p) => p.comm === 'sleep' && shells.has(p.ppid) && p.pgrp === p.tpgid);
}

const SHIFTED = 'Shifted: ABC XYZ !@#$%^&*()_+{}|:"<>?~';
const GERMAN = '@ € {[]} \\ ~ | é è ê ß ö Ä xyz';

describe(`input: keyboard through ${gatewayConfig.kind}`, { timeout: TEST_TIMEOUT * 2 }, () => {
  before(() => checkGatewayInstalled());

  for (const server of ['xvnc', 'x11vnc']) {
    it(
      `${server}: shifted characters, Ctrl-C, autorepeat, IME text, AltGr and dead keys (German keymap)`,
      { timeout: TEST_TIMEOUT },
      () =>
        withInputStack(`keyboard-${server}`, server, async (t) => {
          const { cdp, desktop, page, workDir, shot } = t;
          // The X server's own autorepeat would add letters to any key a slow machine holds for
          // 660 ms; the typed lines are compared exactly, so it is off (the client's autorepeat
          // does not need it).
          await desktop.x('xset', 'r', 'off');
          await focusXterm(t);

          // US keymap, shifted characters: `cat` writes the line as typed.
          const us = join(workDir, 'us.txt');
          await typeUs(cdp, `cat > ${us}\n${SHIFTED}\n`);
          await ctrlKey(cdp, 'd');
          assert.equal(await readWhenWritten(us, 'the US line'), `${SHIFTED}\n`);
          await shot('us-typed');

          // Ctrl-C interrupts a command: if it did not, the echo would wait behind `sleep`.
          const after = join(workDir, 'after-ctrl-c.txt');
          await typeUs(cdp, 'sleep 600\n');
          await pollUntil('sleep to run in the xterm', () => sleepInForeground(desktop.xterm.pid));
          await ctrlKey(cdp, 'c');
          await typeUs(cdp, `echo interrupted > ${after}\n`);
          assert.equal(await readWhenWritten(after, 'the echo after Ctrl-C'), 'interrupted\n');
          await shot('ctrl-c');

          // Autorepeat; text from an on-screen keyboard (insertText) and an IME composition (committed text)
          // into the hidden text field, as Unicode keysyms.
          const ime = join(workDir, 'ime.txt');
          await typeUs(cdp, `cat > ${ime}\n`);
          await holdKey(cdp, 'x', 'KeyX', 2); // a press, two autorepeats, a release
          await page.evaluate(() => window.rfb.showKeyboard());
          await cdp.send('Input.insertText', { text: 'é✓' });
          await cdp.send('Input.imeSetComposition', {
            text: 'にほんご',
            selectionStart: 4,
            selectionEnd: 4,
          });
          await cdp.send('Input.insertText', { text: '日本語' });
          await typeUs(cdp, '\n');
          await ctrlKey(cdp, 'd');
          assert.equal(await readWhenWritten(ime, 'the IME line'), 'xxxé✓日本語\n');
          await page.evaluate(() => window.rfb.focus());
          await shot('ime');

          // German keymap on the server and a German keyboard in the browser.
          const de = join(workDir, 'de.txt');
          await typeUs(cdp, `cat > ${de}\n`);
          // Those keys must reach the X server under the US keymap (and, on x11vnc, before the
          // restart): the shell creates the file once it ran the whole line.
          await pollUntil('the shell to run `cat > de.txt`', () => existsSync(de));
          await desktop.x('setxkbmap', 'de');
          await desktop.x('xset', 'r', 'off');
          if (server === 'x11vnc') {
            await restartX11vnc(desktop);
            await page.reload();
            await waitConnected(page);
            await focusXterm(t);
          }
          await typeDe(cdp, `${GERMAN}\n`);
          await ctrlKey(cdp, 'd');
          assert.equal(await readWhenWritten(de, 'the German line'), `${GERMAN}\n`);
          await shot('german-typed');
        }),
    );
  }
});
