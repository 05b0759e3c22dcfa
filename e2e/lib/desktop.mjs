// A real VNC desktop for the e2e tests: TigerVNC Xvnc, or Xvfb + x11vnc, on loopback, on a free
// display the X server picks itself (-displayfd), with a solid root colour and one xterm.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, pidListensOn, readBanner } from './net.mjs';
import { bound, pollUntil } from './poll.mjs';
import { diedError, isRunning, spawnLogged, stopProcesses } from './process.mjs';

const execFileAsync = promisify(execFile);

/** How often a server start is retried when another process took its port meanwhile. */
const START_ATTEMPTS = 5;

/** The title of the xterm on every desktop; `xdotool search --name` finds it. */
export const XTERM_TITLE = 'e2e-xterm';

/** Where the xterm sits on the screen: well inside a 1024x768 framebuffer. */
export const XTERM_POSITION = { x: 100, y: 100 };

/** Runs an X client on `display` and resolves with its stdout; rejects if it fails. */
export async function xclient(display, command, args, { timeout = bound(10000) } = {}) {
  const { stdout } = await execFileAsync(command, args, {
    env: { ...process.env, DISPLAY: display },
    timeout,
  });
  return stdout;
}

/**
 * Resolves with the display number an X server writes to its -displayfd pipe (fd 3), or rejects
 * if the server exits first. -displayfd makes the server itself pick a free display, atomically
 * through its lock file, so parallel test runs never fight over a number.
 */
function displayFromFd(child, what) {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdio[3].setEncoding('latin1');
    child.stdio[3].on('data', (chunk) => {
      text += chunk;
      const m = /^(\d+)\n/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.stdio[3].on('error', () => {});
    child.exited.then(() => reject(diedError(what, child)));
  });
}

/**
 * Writes a VncAuth password file (the format of `vncpasswd -f`, which x11vnc's -rfbauth reads
 * too) and returns its path. VNC uses at most 8 characters of a password.
 */
export async function writePasswordFile(dir, password) {
  const file = join(dir, 'vnc.passwd');
  const bytes = await new Promise((resolve, reject) => {
    const child = execFile('vncpasswd', ['-f'], { encoding: 'buffer' }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin.end(`${password}\n`);
  });
  if (bytes.length !== 8) throw new Error(`vncpasswd -f wrote ${bytes.length} bytes, not 8`);
  writeFileSync(file, bytes, { mode: 0o600 });
  return file;
}

/**
 * Starts a process that should listen on a port chosen here, and waits until it does. `launch`
 * gets the port and returns the child. Because the port may be taken by another process between
 * our check and the server's bind, a server that exits before listening is started again with a
 * new port, up to START_ATTEMPTS times. Resolves with { child, port }.
 */
export async function startListening(what, launch, { timeout = bound(20000) } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const child = await launch(port);
    try {
      await pollUntil(
        `${what} to listen on 127.0.0.1:${port}`,
        () => pidListensOn(child.pid, port),
        {
          timeout,
          abort: () => {
            if (!isRunning(child)) throw diedError(what, child);
          },
        },
      );
      return { child, port };
    } catch (error) {
      lastError = error;
      await stopProcesses([child]);
      // A server that is still running but not listening is broken: do not try again.
      if (!/exited|could not start/.test(error.message)) break;
    }
  }
  throw lastError;
}

/**
 * A running desktop. `display` is ":N", `port` the RFB port on 127.0.0.1, `processes` the
 * children to stop (server first). Call `stop()` when done; it never throws.
 */
export class Desktop {
  constructor({ kind, display, port, server, xserver, logDir }) {
    this.kind = kind;
    this.display = display;
    this.port = port;
    this.server = server; // the process that speaks RFB
    this.xserver = xserver; // the X server (the same process for Xvnc)
    this.logDir = logDir;
    this.xterm = null;
  }

  get processes() {
    return [this.server, this.xserver, this.xterm].filter((p, i, all) => p && all.indexOf(p) === i);
  }

  /** Runs an X client on this desktop's display and resolves with its stdout. */
  x(command, ...args) {
    return xclient(this.display, command, args);
  }

  /** Where the X pointer is: { x, y } in screen pixels. */
  async mouseLocation() {
    const out = await this.x('xdotool', 'getmouselocation', '--shell');
    return { x: Number(/^X=(\d+)$/m.exec(out)?.[1]), y: Number(/^Y=(\d+)$/m.exec(out)?.[1]) };
  }

  /** The X window id of the xterm and its geometry: { id, x, y, width, height }. */
  async xtermWindow() {
    const id = (await this.x('xdotool', 'search', '--name', `^${XTERM_TITLE}$`)).split('\n')[0];
    const out = await this.x('xdotool', 'getwindowgeometry', '--shell', id);
    const g = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => l.split('=')),
    );
    return { id, x: Number(g.X), y: Number(g.Y), width: Number(g.WIDTH), height: Number(g.HEIGHT) };
  }

  /**
   * Starts `xdotool selectwindow`, which grabs the pointer and prints the id of the window that
   * the next button press lands on. Returns { picked(): the id or '', stop() }. The grab happens
   * some time after the start and cannot be observed from outside: click until picked() says.
   */
  watchNextClick() {
    let out = '';
    let child;
    let stopped = false;
    // selectwindow grabs the pointer; when the grab fails it exits without a window (its
    // message goes to xdotool.log), and is started again until stop().
    const start = () => {
      child = spawnLogged('xdotool', ['selectwindow'], {
        env: { ...process.env, DISPLAY: this.display },
        logFile: this.logDir ? join(this.logDir, 'xdotool.log') : undefined,
        stdio: ['ignore', 'pipe', 'log'],
      });
      child.stdout.setEncoding('latin1');
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.exited.then(() => {
        if (!stopped && !out.trim()) setTimeout(() => stopped || start(), 100);
      });
    };
    start();
    return {
      picked: () => out.trim(),
      stop: () => {
        stopped = true;
        return stopProcesses([child]);
      },
    };
  }

  /** Stops every process of the desktop by PID; the xterm goes first, the X server last. */
  async stop() {
    if (this.xterm) await stopProcesses([this.xterm]);
    await stopProcesses([this.server]);
    await stopProcesses([this.xserver]);
  }
}

/** Starts TigerVNC Xvnc: X server and RFB server in one process. Resolves with a Desktop. */
async function startXvnc({ geometry, security, passwordFile, logDir, name }) {
  const auth =
    security === 'vncauth'
      ? ['-SecurityTypes', 'VncAuth', '-PasswordFile', passwordFile]
      : ['-SecurityTypes', 'None'];
  let display;
  const { child, port } = await startListening('Xvnc', async (rfbPort) => {
    const args = [
      ['-displayfd', '3'],
      // An explicit port: with -displayfd alone Xvnc would use 5900+N, and if anything else
      // holds that port it fails every time, since it gets the same display again.
      ['-rfbport', String(rfbPort)],
      ['-interface', '127.0.0.1'],
      ['-nolisten', 'tcp'],
      // Without this, 5 connections that close before authenticating (wrong passwords,
      // probes) make Xvnc refuse 127.0.0.1 for a while.
      ['-UseBlacklist', '0'],
      ['-geometry', geometry],
      ['-depth', '24'],
      ['-desktop', name],
      auth,
    ].flat();
    const child = spawnLogged('Xvnc', args, {
      logFile: join(logDir, 'xvnc.log'),
      stdio: ['ignore', 'log', 'log', 'pipe'],
    });
    // displayFromFd rejects when Xvnc exits early; startListening then sees it died.
    display = await displayFromFd(child, 'Xvnc').catch(() => null);
    return child;
  });
  return new Desktop({
    kind: 'xvnc',
    display: `:${display}`,
    port,
    server: child,
    xserver: child,
    logDir,
  });
}

/** Starts Xvfb and then x11vnc on it. Resolves with a Desktop. */
async function startX11vnc({ geometry, security, passwordFile, logDir, name }) {
  const xvfb = spawnLogged(
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', `${geometry}x24`, '-nolisten', 'tcp'],
    { logFile: join(logDir, 'xvfb.log'), stdio: ['ignore', 'log', 'log', 'pipe'] },
  );
  try {
    const display = `:${await displayFromFd(xvfb, 'Xvfb')}`;
    const auth = security === 'vncauth' ? ['-rfbauth', passwordFile] : ['-nopw'];
    const { child, port } = await startListening('x11vnc', async (rfbPort) =>
      spawnLogged(
        'x11vnc',
        [
          ['-display', display],
          ['-rfbport', String(rfbPort)],
          ['-localhost', '-noipv6'],
          // Without -forever x11vnc exits when its first client disconnects.
          ['-forever', '-shared'],
          ['-desktop', name],
          auth,
        ].flat(),
        { logFile: join(logDir, 'x11vnc.log') },
      ),
    );
    return new Desktop({ kind: 'x11vnc', display, port, server: child, xserver: xvfb, logDir });
  } catch (error) {
    await stopProcesses([xvfb]);
    throw error;
  }
}

/**
 * Starts a VNC desktop and waits until it is usable: the RFB port sends its banner, the X display
 * answers, the root window has `colour` and an xterm titled XTERM_TITLE is mapped at
 * XTERM_POSITION. Options: server 'xvnc' | 'x11vnc'; security 'none' | 'vncauth' (then
 * `passwordFile` is required); geometry; colour ('#rrggbb'); logDir for the logs; workDir is the
 * xterm's HOME and cwd. Resolves with a Desktop; on failure everything started is stopped.
 */
export async function startDesktop({
  server = 'xvnc',
  security = 'none',
  passwordFile,
  geometry = '1024x768',
  colour = '#2e8b57',
  logDir,
  workDir,
  name = 'e2e',
}) {
  if (security === 'vncauth' && !passwordFile) throw new Error('vncauth needs a passwordFile');
  const start = { xvnc: startXvnc, x11vnc: startX11vnc }[server];
  if (!start) throw new Error(`unknown VNC server ${server}`);
  const desktop = await start({ geometry, security, passwordFile, logDir, name });
  try {
    const banner = await readBanner(desktop.port);
    if (!/^RFB 003\.00\d\n$/.test(banner)) {
      throw new Error(`port ${desktop.port} answered ${JSON.stringify(banner)}, not RFB`);
    }
    await pollUntil(`X display ${desktop.display}`, () => desktop.x('xset', 'q').then(() => true));
    await desktop.x('xsetroot', '-solid', colour);
    desktop.xterm = spawnLogged(
      'xterm',
      [
        // xterm's default font is missing without xfonts-base; "fixed" is built in.
        ['-fn', 'fixed'],
        ['-geometry', `80x24+${XTERM_POSITION.x}+${XTERM_POSITION.y}`],
        ['-bg', 'white', '-fg', 'black'],
        ['-T', XTERM_TITLE],
      ].flat(),
      {
        logFile: join(logDir, 'xterm.log'),
        cwd: workDir,
        env: {
          PATH: process.env.PATH,
          DISPLAY: desktop.display,
          HOME: workDir,
          SHELL: '/bin/sh',
          LANG: 'C.UTF-8',
          TERM: 'xterm',
        },
      },
    );
    await pollUntil(
      'the xterm to be mapped',
      () => desktop.x('xdotool', 'search', '--onlyvisible', '--name', `^${XTERM_TITLE}$`),
      {
        accept: (out) => /^\d+/.test(out),
        abort: () => {
          if (!isRunning(desktop.xterm)) throw diedError('xterm', desktop.xterm);
        },
      },
    );
    return desktop;
  } catch (error) {
    await desktop.stop();
    throw error;
  }
}
