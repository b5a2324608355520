// A track file that cannot be written (its directory is a file): an error at once, and
// failing in the status with error, since and attempts, until a write passes.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackFile } from '../../../src/act/track-file.js';
import type { Scheduler } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/logging/logger.js';
import { waitFor } from '../../lab/wait.js';

let dir: string;
let logs: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-track-failing-'));
  logs = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Real clock, retries fired only when the test says so. */
function manualRetries(): Scheduler & { fire(): void } {
  let pending: (() => void) | undefined;
  return {
    now: () => performance.now(),
    after(_delay, call) {
      pending = call;
      return { cancel: () => (pending = undefined) };
    },
    fire() {
      const call = pending;
      pending = undefined;
      call?.();
    },
  };
}

describe('keepalived track file that cannot be written', () => {
  it('says it as an error at once, shows it failing, and recovers when the cause is gone', async () => {
    const blocker = join(dir, 'run');
    writeFileSync(blocker, 'not a directory');
    // A path through a file: ENOTDIR (EEXIST would be mkdir's answer for the file itself).
    const path = join(blocker, 'ifdepd', 'uplink.track');
    const scheduler = manualRetries();
    const t = new TrackFile(path, 'uplink', createLogger('normal', { write: (s, l) => logs.push(`${s}: ${l}`) }), false, scheduler);
    t.set('down');
    await waitFor('the failure to be logged', () => logs.find((l) => l.startsWith('error: ')), { context: () => logs.join('\n') });
    expect(logs.filter((l) => l.startsWith('error: '))[0]).toMatch(
      new RegExp(`^error: uplink: cannot write ${path}: .*(ENOTDIR|${blocker} is not a directory).*; permanent error, retrying every 5000 ms$`),
    );
    const status = t.status('down');
    expect(status).toMatchObject({ path, group: 'uplink', wanted: 'down', failing: { permanent: true, attempts: 1 } });
    expect(status.written).toBeUndefined();
    scheduler.fire();
    await waitFor('the second attempt', () => t.status('down').failing?.attempts === 2);
    // The second failure is not said again (the next reminder is in 5 minutes).
    expect(logs.filter((l) => l.startsWith('error: '))).toHaveLength(1);
    unlinkSync(blocker);
    scheduler.fire();
    await waitFor('the write to pass', () => t.status('down').written === 'down');
    expect(readFileSync(path, 'utf8')).toBe('1\n');
    expect(t.status('down').failing).toBeUndefined();
    expect(logs).toContain(`notice: uplink: wrote ${path} after 3 attempts`);
    t.close();
  });
});
