// Varied content for the client encoding tests, on top of the e2e desktop (root colour and one
// xterm): a patterned root, an xterm full of 256-colour text, a photo-like image shown by xwud
// (thousands of colours) and xlogo. Every process started here is stopped by PID.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeXwd } from './client-xwd.mjs';
import { pollUntil } from './poll.mjs';
import { diedError, isRunning, spawnLogged, stopProcesses } from './process.mjs';

/** The xwud window: its name (from the XWD header), where it starts and its size. */
export const IMAGE_WINDOW = { name: 'e2e-image', x: 560, y: 400, width: 320, height: 240 };

/** xwud titles its window "xwud: " and the name in the dump. */
const IMAGE_WINDOW_SEARCH = `^xwud: ${IMAGE_WINDOW.name}$`;

/**
 * A 320x240 image with smooth gradients (left), hard-edged blocks (top right) and deterministic
 * noise (bottom right): too many colours for any palette, so every encoder's full-colour path runs.
 */
export function testImage({ width, height } = IMAGE_WINDOW) {
  const rgba = Buffer.alloc(width * height * 4);
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      let r, g, b;
      if (x < width / 2) {
        [r, g, b] = [(x * 255) / (width / 2), (y * 255) / height, ((x + y) * 3) & 255];
      } else if (y < height / 2) {
        const block = ((x >> 4) + (y >> 4)) % 5;
        [r, g, b] = [
          [230, 30, 30],
          [30, 200, 60],
          [40, 60, 220],
          [250, 250, 250],
          [0, 0, 0],
        ][block];
      } else {
        [r, g, b] = [random(), random(), random()];
      }
      rgba.set([r, g, b, 255], i);
    }
  }
  return { width, height, rgba };
}

/** A shell command printing all 256 xterm colours as swatches, and some text in colour. */
const COLOUR_SCRIPT = [
  "i=0; while [ $i -lt 256 ]; do printf '\\033[48;5;%dm  ' $i;",
  ' i=$((i+1)); [ $((i % 32)) -eq 0 ] && printf "\\033[0m\\n"; done;',
  " printf '\\033[1;31mbold red \\033[0;32mgreen \\033[4;34munderlined blue\\033[0m\\n';",
  " printf 'The quick brown fox jumps over the lazy dog 0123456789 {}[]<>|~\\n';",
  ' exec sleep 100000',
].join('');

/**
 * Adds the content to `desktop` and waits until every window is mapped. Returns the started
 * processes' stop function (it never throws). Logs go to `logDir`, the image file to `workDir`.
 */
export async function decorateDesktop(desktop, { logDir, workDir }) {
  await desktop.x('xsetroot', '-mod', '7', '5', '-fg', '#d0a020', '-bg', '#204878');
  const imageFile = join(workDir, 'image.xwd');
  writeFileSync(imageFile, writeXwd(testImage(), IMAGE_WINDOW.name));
  const env = { PATH: process.env.PATH, DISPLAY: desktop.display, HOME: workDir, LANG: 'C.UTF-8' };
  // `title` names the log; the window is found by its name, `^title$` unless `window` says.
  const start = (command, args, title, window = `^${title}$`) => {
    const child = spawnLogged(command, args, {
      logFile: join(logDir, `${title}.log`),
      env,
      cwd: workDir,
    });
    children.push({ child, title, window });
    return child;
  };
  const children = [];
  start(
    'xterm',
    [
      ['-fn', 'fixed', '-geometry', '66x12+400+60', '-bg', 'black', '-fg', 'white'],
      ['-T', 'e2e-colours', '-e', 'sh', '-c', COLOUR_SCRIPT],
    ].flat(),
    'e2e-colours',
  );
  const { x, y } = IMAGE_WINDOW;
  start('xwud', ['-in', imageFile, '-geometry', `+${x}+${y}`], 'xwud', IMAGE_WINDOW_SEARCH);
  start('xlogo', ['-geometry', '150x150+60+520', '-fg', '#802040', '-bg', '#f0f0e0'], 'xlogo');
  const stop = () => stopProcesses(children.map((c) => c.child));
  try {
    for (const { child, title, window } of children) {
      await pollUntil(
        `the ${title} window to be mapped`,
        () => desktop.x('xdotool', 'search', '--onlyvisible', '--name', window),
        {
          accept: (out) => /^\d+/.test(out),
          abort: () => {
            if (!isRunning(child)) throw diedError(title, child);
          },
        },
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

/** The X window id of the xwud image window. */
export async function imageWindowId(desktop) {
  const out = await desktop.x('xdotool', 'search', '--name', IMAGE_WINDOW_SEARCH);
  return out.split('\n')[0];
}
