// One long-lived `ip -batch -` for actions that must be timed to the millisecond.
// Starting an `ip` process costs tens of milliseconds on a busy machine; a 100 ms
// flap built from two such processes can last 170 ms or more. Fed line by line, ip
// runs each command the moment it reads it.
import { spawn, type ChildProcess } from 'node:child_process';

export class IpBatch {
  private stderr = '';
  private readonly closed: Promise<number | null>;

  private constructor(private readonly proc: ChildProcess) {
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.closed = new Promise((resolve) => proc.on('close', (code) => resolve(code)));
  }

  /** Without -force: ip stops at the first failed command, and close() reports it. */
  static open(ns: string): IpBatch {
    return new IpBatch(spawn('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] }));
  }

  send(args: readonly string[]): void {
    if (this.proc.exitCode !== null) throw new Error(`ip -batch stopped: ${this.stderr.trim() || `status ${this.proc.exitCode}`}`);
    this.proc.stdin!.write(`${args.join(' ')}\n`);
  }

  async close(): Promise<void> {
    this.proc.stdin!.end();
    const code = await this.closed;
    if (code !== 0) throw new Error(`ip -batch failed: ${this.stderr.trim() || `status ${code}`}`);
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}
