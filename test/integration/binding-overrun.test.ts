// Reproduction for the netlink@0.3.0 receive-queue overrun defect: the stock
// binding aborts the process (exit 134) on ENOBUFS; the patched one
// (patches/netlink+0.3.0.patch, built on postinstall) reports an ordinary
// 'ENOBUFS' error and keeps the socket working.
//
// The probe runs in a throw-away network namespace (`unshare -n`): its veth
// pairs vanish with the namespace when the probe exits, host interfaces are
// never touched.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isOverrunSafeBinding } from '../../src/kernel/addon.js';

const PROBE = fileURLToPath(new URL('../fixtures/overrun-probe.mjs', import.meta.url));

function skipReason(): string | null {
  if (process.platform !== 'linux') return 'netlink is Linux-only';
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace and veth links';
  const probe = spawnSync('unshare', ['-n', 'ip', 'link', 'show', 'lo'], { encoding: 'utf8' });
  if (probe.status !== 0) return `cannot create a network namespace with \`unshare -n\` + \`ip\`: ${(probe.error?.message ?? probe.stderr).trim()}`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`binding-overrun: skipping namespace test: ${reason}`);

interface ProbeResult {
  rcvbuf: number;
  ipCommands: number;
  errors: string[];
  queuedEventsDelivered: number | null;
  kernelDrops: number | null;
  enobufs: boolean;
  eventAfterOverrun: boolean;
  failure?: string;
}

describe('netlink binding receive-queue overrun', () => {
  it('isOverrunSafeBinding() is true (patched build is the one loaded)', () => {
    expect(isOverrunSafeBinding()).toBe(true);
  });

  it.skipIf(reason !== null)('reports ENOBUFS as an error and keeps delivering events', () => {
    // unshare -n: the namespace dies with the probe, nothing to clean up;
    // timeout bounds the run (the probe itself polls with 5 s deadlines).
    const r = spawnSync('unshare', ['-n', process.execPath, PROBE], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, PROBE_HOST_NETNS: readlinkSync('/proc/self/ns/net'), PROBE_PAIRS: '32', PROBE_RCVBUF: '4096' },
    });
    const diag = `status=${r.status} signal=${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
    expect(r.status, diag).toBe(0);
    const lastLine = r.stdout.trim().split('\n').pop() ?? '';
    const result = JSON.parse(lastLine) as ProbeResult;
    expect(result.errors, diag).toContain('ENOBUFS');
    expect(result.enobufs, diag).toBe(true);
    expect(result.kernelDrops ?? 0, diag).toBeGreaterThan(0);
    expect(result.eventAfterOverrun, diag).toBe(true);
  }, 60_000);
});
