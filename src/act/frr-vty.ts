import { net } from '../base/lazy-builtins.js';

/**
 * A client of an FRR daemon's vty socket (vrrpd.vty), speaking what vtysh speaks to it:
 * each command is sent NUL-terminated, and the daemon answers with the command's output
 * followed by three NUL bytes and the command's status (0 is CMD_SUCCESS). Talking to the
 * socket directly instead of running vtysh saves a process and vtysh's start-up, 200 to
 * 400 ms on a loaded 2-CPU machine (measured with FRR 8.4), which is most of a takeover.
 */

/** A command the daemon refused or a session that broke; `code` is for the retry policy (act/retry.ts). */
export class VtyError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** One session: connects, runs the commands in order, stops at the first that fails, closes. */
export function vtyCommands(socket: string, commands: readonly string[], timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const outputs: string[] = [];
    let pending = Buffer.alloc(0);
    let settled = false;
    const conn = net().createConnection(socket);
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      if (err === undefined) resolve(outputs);
      else reject(err);
    };
    // A daemon that hangs (stuck, or stopped with SIGSTOP) must not hold the group's actions forever.
    const timer = setTimeout(() => finish(new VtyError(`${socket}: no answer within ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
    const next = (): void => {
      const command = commands[outputs.length];
      if (command === undefined) finish();
      else conn.write(`${command}\0`);
    };
    conn.on('connect', next);
    conn.on('error', (err: NodeJS.ErrnoException) => finish(new VtyError(`${socket}: ${err.code ?? err.message}`, err.code ?? 'EIO')));
    conn.on('close', () => finish(new VtyError(`${socket}: the daemon closed the session`, 'ECONNRESET')));
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const n = pending.length;
      if (n < 4 || pending[n - 4] !== 0 || pending[n - 3] !== 0 || pending[n - 2] !== 0) return;
      const status = pending[n - 1]!;
      const text = pending.subarray(0, n - 4).toString('utf8').trim();
      pending = Buffer.alloc(0);
      if (status !== 0) {
        const command = commands[outputs.length];
        finish(new VtyError(`'${command}' refused: ${text.replace(/\s+/g, ' ') || `status ${status}`}`, 'EFRRCOMMAND'));
        return;
      }
      outputs.push(text);
      next();
    });
  });
}
