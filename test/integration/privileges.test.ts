// Start-up refusals: one line for the operator, the sysexits code, no stack trace.
// Run inside a namespace with real interfaces, so that a refusal that does not
// happen shows as a daemon that starts (and is killed) instead of touching the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, labSkipReason, NOBODY, waitFor, type Proc } from '../lab/index.js';

const skip = labSkipReason();
if (skip) console.warn(`privileges: skipped: ${skip}`);

/** Still uid 0, but without CAP_NET_ADMIN (dropped from the bounding set, so not regained on exec). */
const ROOT_WITHOUT_NET_ADMIN = ['setpriv', '--inh-caps=-net_admin', '--bounding-set=-net_admin'];

describe.skipIf(skip !== null)('start-up refusals', () => {
  let lab: Lab;

  beforeAll(() => {
    lab = Lab.create();
    lab.addSource('up0');
    lab.addDestination('vrrp0');
  });

  afterAll(() => lab?.destroy());

  /** Runs the CLI to completion (10 s at most) and returns its exit and output. */
  async function runToExit(args: readonly string[], prefix: readonly string[] = []): Promise<Proc> {
    const p = await lab.daemon(args, { prefix, waitReady: false });
    try {
      await waitFor('the command to exit', () => !p.alive, { timeout: 10_000, context: () => p.tail() });
    } finally {
      if (p.alive) p.signal('SIGKILL');
    }
    return p;
  }

  function expectOneLine(p: Proc, code: number, text: RegExp): void {
    expect(p.exited, p.tail()).toEqual({ code, signal: null });
    const lines = p.lines();
    expect(lines, p.output).toHaveLength(1);
    expect(lines[0]).toMatch(/^ifdepd: /);
    expect(lines[0]).toMatch(text);
    expect(p.output).not.toMatch(/^\s+at /m); // no stack trace
  }

  it('as nobody without capabilities and without --dry-run: exit 77, one line naming CAP_NET_ADMIN', async () => {
    const p = await runToExit(['-S', 'up0', '-D', 'vrrp0'], NOBODY);
    expectOneLine(p, 77, /CAP_NET_ADMIN/);
    expect(p.output).toMatch(/--dry-run/);
    expect(lab.admin('vrrp0')).toBe('up');
  });

  it('as root without CAP_NET_ADMIN: exit 77 as well (the capability counts, not the uid)', async () => {
    lab.cutCarrier('up0'); // if it started anyway it would take vrrp0 down
    try {
      const p = await runToExit(['-S', 'up0', '-D', 'vrrp0'], ROOT_WITHOUT_NET_ADMIN);
      expectOneLine(p, 77, /CAP_NET_ADMIN/);
      expect(lab.admin('vrrp0')).toBe('up');
    } finally {
      lab.restoreCarrier('up0');
    }
  });

  it.each([
    { args: ['-S', 'a', '-D', 'a'], text: /interface 'a' is both a source and a destination/ },
    { args: ['-S', 'up0'], text: /no destination interfaces/ },
    { args: ['-D', 'vrrp0'], text: /no source interfaces/ },
    { args: ['-S', 'up0', '-D', 'vrrp0', '--down-delay', '5'], text: /--down-delay/ },
    { args: ['-S', 'up0', '-D', 'vrrp0', '--bogus'], text: /bogus/ },
    { args: ['-S', 'up0', '-D', 'vrrp0', '-v', '-q'], text: /-v and -q/ },
  ])('bad usage $args: exit 64 with one line', async ({ args, text }) => {
    const p = await runToExit(args);
    expectOneLine(p, 64, text);
  });

  it('bad usage is reported as 64 even without privileges (usage is checked first)', async () => {
    const p = await runToExit(['-S', 'a', '-D', 'a'], NOBODY);
    expectOneLine(p, 64, /both a source and a destination/);
  });
});
