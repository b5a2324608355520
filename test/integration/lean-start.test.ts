// What a daemon loads of Node (issue 21, "load only what a command uses"): child_process
// (with net, dgram and the stream classes it pulls in) is ~2 MiB resident and ~5 ms of a
// start. A -S/-D daemon runs no program and listens nowhere: it loads none of it, and
// stderr that is a file is written without process.stderr's stream classes. (With -f, the
// control socket's listener loads net, and through node:cluster child_process, anyway.)
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { eachLab, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, STARTED, waitFor } from '../lab/index.js';

/** Built-in modules that only configurations that run programs or listen need. */
const HEAVY = ['child_process', 'net', 'stream', 'dgram'];

interface Run {
  readonly builtins: ReadonlySet<string>;
  readonly log: string;
}

describeLab('a daemon loads only what its configuration uses', () => {
  let lab: Lab;
  eachLab((fresh) => {
    lab = fresh;
    lab.addSource('up0');
    lab.addDestination('vrrp0');
  });

  /** Runs the daemon until its start-up decision, stderr to a file; the built-ins it had loaded by then. */
  async function startAndStop(args: readonly string[]): Promise<Run> {
    const list = lab.file('builtins.txt');
    const logFile = lab.file('stderr.log');
    // Written when the start-up decision is in the log (SIGUSR2 below), not at exit: exiting loads more.
    const preload = lab.file('builtins.cjs');
    writeFileSync(
      preload,
      `process.on('SIGUSR2', () => require('fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join('\\n')));\n`,
    );
    const fd = openSync(logFile, 'w');
    const child = spawn('ip', ['netns', 'exec', lab.ns, process.execPath, '-r', preload, CLI, ...args], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    try {
      await waitFor('the start-up decision in the log file', () => STARTED.test(log()), { timeout: 10_000, context: log });
      child.kill('SIGUSR2');
      await waitFor('the list of built-ins', () => existsSync(list) && readFileSync(list, 'utf8').length > 0, { context: log });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    return { builtins: new Set(readFileSync(list, 'utf8').split('\n')), log: log() };
  }

  it('-S/-D with stderr to a file: no child_process, net or streams; the lines are in the file', async () => {
    const run = await startAndStop(['-S', 'up0', '-D', 'vrrp0']);
    expect(HEAVY.filter((m) => run.builtins.has(m)), run.log).toEqual([]);
    expect(run.log).toMatch(/ifdepd\[\d+\]: ifdepd \S+ starting: sources up0 -> destinations vrrp0/);
    expect(run.log).toMatch(/SIGTERM: exiting/);
  });
});
