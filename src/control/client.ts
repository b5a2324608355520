import { createConnection } from 'node:net';
import { BUSY, type ControlReply, type ControlRequest } from './api.js';

/** The status of hundreds of interfaces stays far below this; more is not ifdepd. */
const MAX_REPLY_BYTES = 8 * 1024 * 1024;

/**
 * Sends one request to the daemon and waits for its one-line reply. A daemon that refuses
 * the connection (all its connections taken) is an error, as one that is not listening:
 * the request was never heard.
 */
export function request(path: string, req: ControlRequest, timeoutMs = 5000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const fail = (err: Error): void => settle(() => reject(err));
    let connected = false;
    /** A write the daemon hung up on: its reason, already received, is still to be read. */
    let writeFailed: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(
      () => fail(new Error(`no reply from ifdepd on ${path} within ${formatSeconds(timeoutMs)} s`)),
      timeoutMs,
    );

    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(req)}\n`);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (connected && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) writeFailed = err;
      else fail(connectError(path, err));
    });
    const hungUp = () =>
      fail(new Error(`ifdepd closed the control connection on ${path} without a reply${writeFailed ? ` (${writeFailed.code})` : ''}`));
    socket.on('end', hungUp);
    socket.on('close', hungUp);
    socket.on('data', (chunk: Buffer) => {
      const end = chunk.indexOf(0x0a);
      chunks.push(end === -1 ? chunk : chunk.subarray(0, end));
      received += chunk.length;
      if (end !== -1) {
        const line = Buffer.concat(chunks).toString('utf8');
        settle(() => {
          try {
            const reply = parseReply(line, path);
            if (!reply.ok && reply.error === BUSY) throw new Error(`ifdepd on ${path} is busy: ${BUSY} on its control socket; try again`);
            resolve(reply);
          } catch (err) {
            reject(err);
          }
        });
      } else if (received > MAX_REPLY_BYTES) {
        fail(new Error(`reply from ${path} exceeds ${MAX_REPLY_BYTES} bytes`));
      }
    });
  });
}

export function connectError(path: string, err: NodeJS.ErrnoException): Error {
  switch (err.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new Error(`no ifdepd is listening on ${path} (is it running with a control socket?)`);
    case 'EACCES':
      return new Error(`permission denied on ${path}: the control socket is for root`);
    default:
      return new Error(`control socket ${path}: ${err.message}`);
  }
}

export function parseReply(line: string, path: string): ControlReply {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`malformed reply from ifdepd on ${path}: not JSON`);
  }
  if (typeof value !== 'object' || value === null || typeof (value as { ok?: unknown }).ok !== 'boolean') {
    throw new Error(`malformed reply from ifdepd on ${path}: no 'ok' field`);
  }
  return value as ControlReply;
}

/** "5", "0.5": the timeout as an operator would have written it. */
function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
