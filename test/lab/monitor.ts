// `ip -n NS -d -o monitor ...` with a baseline: the base of every recorder of kernel
// changes in the lab. Only what the kernel reports after the baseline counts:
//
//   1. the monitor runs; whatever it prints before it is known to listen is history,
//      dropped unread (it is known to listen once it reports a marker: an alias set
//      on lo after it started, with a token of its own);
//   2. the baseline: the kernel's state, dumped after that marker;
//   3. a second marker: the lines between the two (changes made around the dump) are
//      applied to the baseline without being recorded, so that the state is exact
//      at the second marker, and nothing printed before it counts as a change;
//   4. from then on every line is a change under test: start() resolves here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ipIn } from './namespaces.js';
import { waitFor } from './wait.js';

/** Where a monitor runs: a namespace, and the lab that kills its process when destroyed. */
export interface MonitorHost {
  readonly ns: string;
  track(child: ChildProcess): void;
}

type Phase = 'history' | 'settling' | 'live';

export abstract class KernelMonitor {
  private phase: Phase = 'history';
  private readonly tokens = new Set<string>();
  private buffer = '';
  private readonly proc: ChildProcess;
  protected readonly ns: string;

  /** `objects`: what `ip monitor` reports, e.g. ['link'] or ['link', 'address']. */
  protected constructor(host: MonitorHost, objects: readonly string[]) {
    this.ns = host.ns;
    this.proc = spawn('ip', ['-n', this.ns, '-d', '-o', 'monitor', ...objects], { stdio: ['ignore', 'pipe', 'ignore'] });
    host.track(this.proc);
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.feed(chunk));
  }

  /** The kernel's state now, read from a dump: replaces whatever state was kept. */
  protected abstract baseline(): void;

  /** One line of the monitor, arrived at `t`: updates the state; records the change only if `record`. */
  protected abstract apply(t: number, line: string, record: boolean): void;

  /** Resolves once the baseline is taken and every later line counts (steps 1-4 above). */
  protected async listen(): Promise<void> {
    await this.marker('settling');
    this.baseline();
    await this.marker('live');
  }

  /** Sets lo's alias to a fresh token (again every 200 ms) until the monitor reports one. */
  private async marker(next: Phase): Promise<void> {
    this.tokens.clear();
    let tried = -Infinity;
    await waitFor(
      `ip monitor in ${this.ns} to report the ${next === 'settling' ? 'first' : 'second'} marker`,
      () => {
        if (this.phase === next) return true;
        if (performance.now() - tried >= 200) {
          tried = performance.now();
          const token = `rec-${randomBytes(4).toString('hex')}`;
          this.tokens.add(token);
          ipIn(this.ns, 'link', 'set', 'dev', 'lo', 'alias', token);
        }
        return false;
      },
      { timeout: 5000, interval: 5 },
    );
  }

  private isMarker(line: string): boolean {
    const alias = /^\d+: lo: .* alias (\S+)/.exec(line)?.[1];
    return alias !== undefined && this.tokens.has(alias);
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    const t = performance.now();
    for (const line of lines) {
      if (this.phase !== 'live' && this.isMarker(line)) {
        this.phase = this.phase === 'history' ? 'settling' : 'live';
        this.tokens.clear();
        continue;
      }
      if (this.phase !== 'history') this.apply(t, line, this.phase === 'live');
    }
  }

  stop(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}
