import { createConnection } from 'node:net';
import { BUSY, type ControlReply } from './api.js';
import { connectError, parseReply } from './client.js';

/** The reply before the stream is one short line. */
const MAX_REPLY_BYTES = 64 * 1024;

/** How a monitor ended: the daemon hung up, the reader went away (EPIPE), or the user stopped it. */
export type MonitorEnd = 'daemon' | 'reader' | 'stopped';

export interface MonitorTarget {
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
}

/**
 * `ifdepd monitor`: asks the daemon for its event stream and copies it to `out` as it
 * comes, byte for byte, until the daemon hangs up, `out` is closed by its reader (EPIPE:
 * `ifdepd monitor | head`) or `stop` is aborted (SIGINT). A slow `out` slows the reading:
 * the daemon then drops events and says so in the stream, it never waits.
 * Rejects, like request(), when the daemon cannot be reached or refuses.
 */
export function monitor(path: string, json: boolean, out: MonitorTarget, stop: AbortSignal, timeoutMs = 5000): Promise<MonitorEnd> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let streaming = false;
    let settled = false;
    let head = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop.removeEventListener('abort', stopped);
      socket.destroy();
      outcome();
    };
    const stopped = (): void => settle(() => resolve('stopped'));
    if (stop.aborted) return stopped();
    stop.addEventListener('abort', stopped);
    timer = setTimeout(() => settle(() => reject(new Error(`no reply from ifdepd on ${path} within ${timeoutMs / 1000} s`))), timeoutMs);
    out.on('error', (err) => settle(() => (err.code === 'EPIPE' ? resolve('reader') : reject(new Error(`cannot write the stream: ${err.message}`)))));
    const copy = (chunk: Buffer): void => {
      if (chunk.length > 0 && !out.write(chunk)) {
        socket.pause();
        out.once('drain', () => socket.resume());
      }
    };
    socket.on('connect', () => socket.write(`${JSON.stringify({ cmd: 'monitor', json })}\n`));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (streaming) settle(() => resolve('daemon'));
      else settle(() => reject(connectError(path, err)));
    });
    socket.on('close', () => {
      if (streaming) settle(() => resolve('daemon'));
      else settle(() => reject(new Error(`ifdepd closed the control connection on ${path} without a reply`)));
    });
    socket.on('data', (chunk: Buffer) => {
      if (streaming) return copy(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(0x0a);
      if (end === -1) {
        if (head.length > MAX_REPLY_BYTES) settle(() => reject(new Error(`reply from ${path} exceeds ${MAX_REPLY_BYTES} bytes`)));
        return;
      }
      let reply: ControlReply;
      try {
        reply = parseReply(head.subarray(0, end).toString('utf8'), path);
      } catch (err) {
        return settle(() => reject(err));
      }
      if (!reply.ok) {
        const { error } = reply;
        if (error === BUSY) return settle(() => reject(new Error(`ifdepd on ${path} is busy: ${BUSY} on its control socket; try again`)));
        return settle(() => reject(new RefusedError(error)));
      }
      streaming = true;
      clearTimeout(timer);
      copy(head.subarray(end + 1));
    });
  });
}

/** The daemon answered, and said no (an older daemon that does not know `monitor`, or busy). */
export class RefusedError extends Error {}
