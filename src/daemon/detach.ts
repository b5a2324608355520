import { EX_SOFTWARE } from '../base/sysexits.js';

/** Set in the environment of the background copy started by -d. */
const CHILD_MARK = 'IFDEPD_DETACHED';

type StartupOutcome = { readonly ready: true; readonly warning?: string } | { readonly fatal: string; readonly exitCode: number };

export const isDetachedChild = (): boolean => process.env[CHILD_MARK] === '1' && typeof process.send === 'function';

/**
 * -d: Node cannot fork, so the daemon is a new session running the same command line.
 * The terminal waits until it has started, so that a bad pidfile or a netlink failure
 * is still reported here, with its exit code, and not only to syslog. child_process is
 * loaded here only: every command reads this file (cli.ts), few detach.
 */
export async function detach(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [CHILD_MARK]: '1' },
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (code: number, message?: string) => {
      if (settled) return;
      settled = true;
      if (message !== undefined) process.stderr.write(`ifdepd: ${message}\n`);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    child.on('message', (outcome: StartupOutcome) => {
      if ('ready' in outcome) {
        if (outcome.warning !== undefined) process.stderr.write(`ifdepd: warning: ${outcome.warning}\n`);
        settle(0);
      }
      else settle(outcome.exitCode, outcome.fatal);
    });
    child.on('error', (err) => settle(EX_SOFTWARE, `cannot start the daemon: ${err.message}`));
    child.on('exit', (code, signal) =>
      settle(code ?? EX_SOFTWARE, `the daemon exited during start-up (${signal ?? `exit code ${code}`})`),
    );
  });
}

/** In the background copy: tell the waiting terminal how start-up went, then let it go. */
export function tellLauncher(outcome: StartupOutcome): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) return resolve();
    process.send(outcome, () => {
      if ('ready' in outcome) process.disconnect();
      resolve();
    });
  });
}
