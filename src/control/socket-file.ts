import { chmodSync, lstatSync, renameSync, unlinkSync, type Stats } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { messageOf } from '../base/errors.js';
import { makeTrustedDirectory } from '../base/safe-directory.js';
import { temporaryName } from '../base/safe-file.js';

/** A hung daemon still has its socket in the kernel's backlog: give the probe this long. */
const PROBE_TIMEOUT_MS = 1000;

/** Creates the socket's directory owner-only when missing; an existing one must pass the checks. */
export function ensurePrivateDir(dir: string): void {
  const problem = makeTrustedDirectory(dir, 0o700);
  if (problem !== undefined) throw new Error(problem);
}

/**
 * Refuses the name of a socket a live daemon answers on, and anything but a socket or a
 * symlink. A stale socket or a symlink there is replaced when the new socket is moved into
 * place (rename(2)): neither is ever followed, removed or changed by path.
 */
export async function refuseTakenName(path: string): Promise<void> {
  let s: Stats;
  try {
    s = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot check ${path}: ${messageOf(err)}`);
  }
  if (s.isSymbolicLink()) return;
  // connect(2) on a regular file also says ECONNREFUSED: never take what is not a socket.
  if (!s.isSocket()) throw new Error(`${path} exists and is not a socket`);
  if ((await probe(path)) === 'live') throw new Error(`another ifdepd is listening on ${path}`);
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

/** The socket file this server bound: whatever is at its name later may be a successor's. */
export interface SocketIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** sun_path holds 108 bytes with its NUL; Node cuts a longer path short without a word. */
const MAX_SOCKET_PATH = 107;

/**
 * Binds under an unpredictable name beside path, then renames it into place: no bind or
 * chmod ever goes through a name someone could have planted. Binds with umask 0177 so the
 * socket is born 0600. Permission on a Unix socket is only checked at connect(2): a chmod
 * after bind alone would leave a window in which a local user could connect through a loose
 * umask and keep that connection past the chmod. The chmod still follows, for where the
 * umask cannot be set (worker threads).
 */
export async function bindPrivately(server: Server, path: string): Promise<SocketIdentity> {
  const temporary = temporaryName(path);
  const spare = MAX_SOCKET_PATH - Buffer.byteLength(temporary);
  if (spare < 0) throw new Error(`too long (at most ${Buffer.byteLength(path) + spare} bytes)`);
  const listening = new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err) => reject(new Error(`cannot listen on ${path}: ${err.message}`)));
  });
  const saved = setUmask(0o177);
  try {
    // Node binds a path synchronously inside listen() when not clustered (exclusive).
    server.listen({ path: temporary, exclusive: true });
  } finally {
    if (saved !== undefined) process.umask(saved);
  }
  await listening;
  try {
    chmodSync(temporary, 0o600);
    const { dev, ino } = lstatSync(temporary);
    renameSync(temporary, path);
    return { dev, ino };
  } catch (err) {
    server.close(); // unlinks the temporary name
    throw new Error(`cannot put control socket in place: ${messageOf(err)}`);
  }
}

/**
 * Removes the socket at path if it is still the one bound here. (server.close() unlinks
 * only the temporary name it bound, gone since the rename.)
 */
export function removeOwnSocket(path: string, own: SocketIdentity): void {
  try {
    const s = lstatSync(path);
    if (s.dev === own.dev && s.ino === own.ino) unlinkSync(path);
  } catch {
    // already gone
  }
}

function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined; // worker threads may not change the umask
  }
}
