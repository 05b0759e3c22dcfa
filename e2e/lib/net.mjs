// Loopback sockets for the e2e tests: free ports, "does this PID listen on that port" (read
// from /proc, so no probe connection is needed) and the RFB banner check.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { bound } from './poll.mjs';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it). Another process may
 * take it before ours binds it, so callers must retry when their server fails to bind.
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Inodes of the listening TCP sockets (IPv4 and IPv6) on `port`. */
function listeningInodes(port) {
  const inodes = new Set();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (f[1].endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]);
    }
  }
  return inodes;
}

/**
 * True if process `pid` itself holds a socket listening on TCP `port`. Unlike a connection
 * probe this cannot be fooled by another server on the same port, and the server sees nothing.
 */
export function pidListensOn(pid, port) {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return false;
  let fds;
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && inodes.has(m[1])) return true;
    } catch {
      // fd closed meanwhile
    }
  }
  return false;
}

/**
 * The local addresses ("127.0.0.1", "[::1]", "0.0.0.0", ...) on which anything listens on TCP
 * `port`: to check that a server is bound to loopback only.
 */
export function listeningAddresses(port) {
  const found = [];
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !f[1].endsWith(`:${hexPort}`)) continue;
      found.push(decodeProcAddress(f[1].split(':')[0]));
    }
  }
  return found;
}

/** /proc/net/tcp{,6} hex address (little-endian 32-bit words) to text. */
function decodeProcAddress(hex) {
  const bytes = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname; // compressed form, e.g. [::1]
}

/**
 * Connects to 127.0.0.1:`port` and resolves with the first 12 bytes it sends (an RFB server
 * sends "RFB 003.008\n" first). Rejects on error, on close before 12 bytes, or after `timeout`.
 */
export function readBanner(port, { timeout = bound(5000) } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const done = (error, value) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    socket.setTimeout(timeout, () => done(new Error(`no banner from port ${port}`)));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 12) done(null, data.subarray(0, 12).toString('latin1'));
    });
    socket.on('error', (error) => done(error));
    socket.on('close', () => done(new Error(`port ${port} closed after ${data.length} bytes`)));
  });
}
