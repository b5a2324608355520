import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { messageOf } from '../base/message.js';

/** A hung daemon still has its socket in the kernel's backlog: give the probe this long. */
const PROBE_TIMEOUT_MS = 1000;

/** Creates the socket's directory owner-only; an existing one is the administrator's to set. */
export function ensurePrivateDir(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw new Error(`control socket directory ${dir} is not a directory`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700); // the umask may have stripped bits from mode
  } catch (err) {
    throw new Error(`cannot create control socket directory ${dir}: ${messageOf(err)}`);
  }
}

/** Removes a socket left by a dead daemon; refuses to take one a live daemon answers on. */
export async function clearStaleSocket(path: string): Promise<void> {
  const state = await probe(path);
  if (state === 'absent') return;
  if (state === 'live') throw new Error(`another ifdepd is listening on ${path}`);
  // connect(2) on a regular file also says ECONNREFUSED: never unlink what is not a socket.
  if (!lstatSync(path).isSocket()) throw new Error(`${path} exists and is not a socket`);
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot remove stale control socket ${path}: ${messageOf(err)}`);
    }
  }
}

function probe(path: string): Promise<'live' | 'stale' | 'absent'> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    // Connected, backlog full (EAGAIN) or silent: somebody is alive there.
    const timer = setTimeout(() => settle(() => resolve('live')), PROBE_TIMEOUT_MS);
    socket.on('connect', () => settle(() => resolve('live')));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      settle(() => {
        if (err.code === 'ENOENT') resolve('absent');
        else if (err.code === 'ECONNREFUSED') resolve('stale');
        else if (err.code === 'EAGAIN') resolve('live');
        else reject(new Error(`cannot check control socket ${path}: ${err.message}`));
      });
    });
  });
}

/**
 * Binds with umask 0177 so the socket is born 0600. Permission on a Unix socket is only
 * checked at connect(2): a chmod after bind alone would leave a window in which a local
 * user could connect through a loose umask and keep that connection past the chmod.
 * The chmod still follows, for where the umask cannot be set (worker threads).
 */
export async function bindPrivately(server: Server, path: string): Promise<void> {
  const listening = new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err) => reject(new Error(`cannot listen on ${path}: ${err.message}`)));
  });
  const saved = setUmask(0o177);
  try {
    // Node binds a path synchronously inside listen() when not clustered (exclusive).
    server.listen({ path, exclusive: true });
  } finally {
    if (saved !== undefined) process.umask(saved);
  }
  await listening;
  try {
    chmodSync(path, 0o600);
  } catch (err) {
    server.close();
    throw new Error(`cannot restrict control socket ${path}: ${messageOf(err)}`);
  }
}

function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined; // worker threads may not change the umask
  }
}
