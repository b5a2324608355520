import { basename, dirname, extname, join } from 'node:path';

/**
 * /run/ifdepd/ifdepd.sock -> /run/ifdepd/ifdepd.holds: the socket's name, extension `.holds`.
 * Here, below every layer, because the daemon keeps the holds there (daemon/hold-file.ts)
 * and the configuration check must know it too (config/written-paths.ts).
 */
export function holdFileFor(socket: string): string {
  const file = join(dirname(socket), `${basename(socket, extname(socket))}.holds`);
  return file === socket ? `${socket}.holds` : file;
}
