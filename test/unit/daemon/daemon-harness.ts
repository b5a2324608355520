import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config, GroupSpec } from '../../../src/core/spec.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import { EventBus } from '../../../src/daemon/event-bus.js';
import { createLogger } from '../../../src/logging/logger.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { fakeScheduler } from '../../support/fake-scheduler.js';

/** An admin group, no delays, no hooks: `over` changes any of it. */
export function group(name: string, sources: string[], destinations: string[], over: Partial<GroupSpec> = {}): GroupSpec {
  return { name, sources, destinations, policy: { kind: 'all' }, delays: { down: 0, up: 0 }, action: { kind: 'admin' }, hooks: [], ...over };
}

export const config = (...groups: GroupSpec[]): Config => ({ groups, startupHold: 0 });

export interface Harness {
  readonly daemon: Daemon;
  readonly kernel: FakeKernel;
  readonly clock: ReturnType<typeof fakeScheduler>;
  /** Every log line, "severity: text". */
  readonly lines: string[];
  /** The configuration the next `daemon.reload()` reads (as if the file had been edited). */
  reloadsTo(next: Config): void;
  /** Polls (running due timers, letting promises and notifications settle) until `check` holds; fails after 5 s (a loaded machine). */
  until(check: () => boolean, what: string): Promise<void>;
}

/**
 * The real Daemon, with the fake kernel and the fake clock: nothing is read from or
 * written to a real interface, no root, no namespace. `holdFile` as a restart would
 * find it; `kernelRelease` 6.18 (protodown reasons).
 */
export function daemonOn(kernel: FakeKernel, cfg: Config, options: { readonly holdFile?: string; readonly dryRun?: boolean } = {}): Harness {
  const clock = fakeScheduler();
  const lines: string[] = [];
  const log = createLogger('verbose', { write: (severity, text) => lines.push(`${severity}: ${text}`) });
  const events = new EventBus(clock.scheduler);
  let edited: Config | undefined;
  const daemon = new Daemon({
    config: cfg,
    dryRun: options.dryRun ?? false,
    log,
    scheduler: clock.scheduler,
    kernel,
    events,
    kernelRelease: '6.18.0',
    reloader: () => (edited === undefined ? Promise.reject(new Error('no configuration file')) : Promise.resolve(edited)),
    ...(options.holdFile !== undefined ? { holdFile: options.holdFile } : {}),
  });
  const until = async (check: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`not within 5 s: ${what}\nrequests: ${kernel.requests.join('; ')}\nlog:\n${lines.join('\n')}`);
      await clock.advanceAsync(0);
    }
  };
  return { daemon, kernel, clock, lines, until, reloadsTo: (next) => void (edited = next) };
}

/** A directory of its own for a hold file; removed by the returned call. */
export function holdDirectory(): { readonly file: string; readonly remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ifdepd-daemon-test-'));
  return { file: join(dir, 'ifdepd.holds'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The requests made since `mark` (an index into kernel.requests). */
export const since = (kernel: FakeKernel, mark: number): string[] => kernel.requests.slice(mark);

/** Whether a request is a write to this interface. */
export const writesTo = (requests: readonly string[], name: string): string[] =>
  requests.filter((r) => /^(setAdmin|setProtoDown|setGroup) /.test(r) && r.split(' ')[1] === name);
