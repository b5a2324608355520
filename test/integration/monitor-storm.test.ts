// `ifdepd monitor` under a flap storm: a monitor that reads loses nothing (its sequence
// numbers have no gap and no "lost" line); one that does not read is told it lost
// events, or is cut, and either way the daemon fails over as promptly as ever.
import { createConnection, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { MonitorClient, type EventLine } from '../lab/ifdepd-monitor.js';
import { describeLab, waitFor } from '../lab/index.js';

const FLAPS = Number(process.env.IFDEPD_MONITOR_FLAPS ?? 1000);
const DESTS = Array.from({ length: 8 }, (_, i) => `vrrp${i}`);

/**
 * `ip -batch` lines: the source set down and up, FLAPS times. Admin changes, not carrier:
 * the kernel reports each at once, where it may merge carrier changes (linkwatch), so the
 * storm makes about the same number of events every run.
 */
function flapLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < FLAPS; i++) lines.push('link set u0 down', 'link set u0 up');
  return lines;
}

/** A raw monitor connection that reads nothing until told to. */
class Stalled {
  readonly socket: Socket;
  private text = '';
  closed = false;

  constructor(path: string) {
    this.socket = createConnection(path);
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('connect', () => this.socket.write('{"cmd":"monitor","json":true}\n'));
    // No 'data' listener yet: the socket stays paused, the kernel's buffer fills, then the daemon's queue.
  }

  /** Starts reading; returns the lines so far after the reply. */
  read(): void {
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => (this.text += chunk));
  }

  /** The stream's whole lines after the reply, parsed. */
  events(): EventLine[] {
    const lines = this.text.split('\n').slice(0, -1);
    return lines.slice(1).map((l) => JSON.parse(l) as EventLine);
  }

  reply(): string {
    return this.text.split('\n')[0] ?? '';
  }
}

describeLab('ifdepd monitor under a flap storm', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  /** `verbose`: -v, every interface change and every write is a log line, and so an event. */
  async function start(verbose = false) {
    lab.addSource('u0');
    lab.addSource('s0', { carrier: false });
    for (const name of DESTS) lab.addDestination(name);
    lab.addDestination('sentinel0');
    const d = await lab.start(
      config(
        lab,
        group('uplink', 'sources u0', `destinations ${DESTS.join(' ')}`, 'down-delay 0', 'up-delay 0'),
        group('sentinel', 'sources s0', 'destinations sentinel0', 'down-delay 0', 'up-delay 0'),
      ),
      { verbose },
    );
    await lab.waitGroup('uplink', 'up', (g) => g.decision === 'up');
    await lab.waitGroup('sentinel', 'down', (g) => g.decision === 'down');
    await lab.waitAdmin(DESTS, 'up');
    return d;
  }

  /**
   * The storm, then a last carrier cut: the daemon must take every destination down. The
   * destinations are down now and then during the storm; the sentinel group's source comes
   * up after the cut, so once that group is up the daemon has seen the cut as well.
   */
  async function stormThenCut(storms = 1): Promise<void> {
    for (let i = 0; i < storms; i++) lab.batch(flapLines());
    lab.cutCarrier('u0');
    lab.restoreCarrier('s0');
    await lab.waitGroup('sentinel', 'up after the storm', (g) => g.decision === 'up', 20_000);
    await lab.waitGroup('uplink', 'down after the last cut', (g) => g.decision === 'down');
    await lab.waitAdmin(DESTS, 'down');
  }

  it(`a reading monitor gets every event of ${FLAPS} flaps: no gap, no "lost" line`, async () => {
    await start();
    const m = MonitorClient.start(lab.sock, '--json');
    try {
      await m.waitEvent('the snapshot', (e) => e.kind === 'snapshot');
      await stormThenCut();
      // The last decision (down, after the final cut) reaches the monitor too.
      await waitFor(
        'the final down decision and its confirmations',
        () => {
          const events = m.events();
          const last = events.map((e) => e.kind === 'decision' && e['group'] === 'uplink' && e['decision'] === 'down').lastIndexOf(true);
          return last >= 0 && DESTS.every((n) => events.slice(last).some((e) => e.kind === 'destination' && e['name'] === n && e['outcome'] === 'confirmed'));
        },
        { timeout: 20_000, context: () => `${m.stderr}\n${m.lines.slice(-20).join('\n')}` },
      );
      const events = m.events();
      console.log(`monitor storm: the reading monitor got ${events.length} lines`);
      expect(events.filter((e) => e.kind === 'lost' || e.kind === 'disconnected')).toEqual([]);
      const seqs = events.map((e) => e.seq);
      expect(seqs.every((s, i) => s === i), `sequence numbers with a gap: ${JSON.stringify(seqs.filter((s, i) => s !== i).slice(0, 5))}`).toBe(true);
      // The storm was seen: many source changes and decisions (how many depends on what the kernel and the daemon coalesce).
      expect(events.filter((e) => e.kind === 'source').length).toBeGreaterThan(10);
      expect(events.filter((e) => e.kind === 'decision').length).toBeGreaterThan(10);
      m.child.kill('SIGINT');
      expect(await m.exit).toBe(0);
    } finally {
      m.stop();
    }
  });

  it('a monitor that does not read is told it lost events, or is cut; the daemon fails over all the same', async () => {
    // -v and three storms: far more events than a monitor's queue holds (4096 lines, 1 MiB),
    // however many flaps a loaded machine lets the daemon see one by one.
    const d = await start(true);
    const stalled = new Stalled(lab.sock);
    try {
      // It is subscribed once the daemon counts it: a status from another connection still answers.
      await waitFor('the stalled monitor to be connected', () => stalled.socket.readyState === 'open');
      await stormThenCut(3);

      stalled.read();
      const cut = () => d.lines().some((l) => l.includes('a monitor read too slowly and was disconnected'));
      await waitFor(
        'the stalled monitor to see a "lost" line, or to be cut',
        () => stalled.events().some((e) => e.kind === 'lost' || e.kind === 'disconnected') || (stalled.closed && cut()),
        { timeout: 20_000, context: () => `${JSON.stringify(stalled.events().reduce<Record<string, number>>((k, e) => ({ ...k, [e.kind]: (k[e.kind] ?? 0) + 1 }), {}))}\n${d.tail(60)}\nclosed: ${stalled.closed}\nreply: ${stalled.reply()}\nevents: ${stalled.events().length} last: ${JSON.stringify(stalled.events().slice(-3))}` },
      );
      expect(stalled.reply()).toBe('{"ok":true,"monitor":1}');
      const events = stalled.events();
      const kinds: Record<string, number> = {};
      for (const e of events) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
      const lost = events.filter((e) => e.kind === 'lost').reduce((n, e) => n + (e['count'] as number), 0);
      console.log(`monitor storm: the stalled monitor got ${events.length} lines (${JSON.stringify(kinds)}) and lost ${lost} events`);
      expect(events[0]).toMatchObject({ kind: 'snapshot', seq: 0 });
      // Every gap in the sequence numbers is one a "lost" line names (the stream may end at a cut).
      const named = events.filter((e) => e.kind === 'lost').map((e) => [e['firstSeq'] as number, e['lastSeq'] as number]);
      const numbered = events.filter((e) => e.seq !== undefined).map((e) => e.seq!);
      for (let i = 1; i < numbered.length; i++) {
        if (numbered[i] === numbered[i - 1]! + 1) continue;
        expect(named, `gap after ${numbered[i - 1]}`).toContainEqual([numbered[i - 1]! + 1, numbered[i]! - 1]);
      }
    } finally {
      stalled.socket.destroy();
    }
    // The daemon still serves the control socket.
    expect((await lab.ctl('status')).code).toBe(0);
  });
});
