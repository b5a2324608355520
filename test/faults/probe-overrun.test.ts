// Route and address sources after lost notifications (issue 11): while the daemon is
// stopped, a burst of route changes overruns its route/address socket and the watched
// route is deleted inside the burst. Its deletion is lost with the rest; on SIGCONT the
// daemon must see the overrun, read the routes again and take the destination down.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab } from '../lab/index.js';

/** Enough route changes to overrun a queue of 2 x rmem_max (the most the daemon can ask for). */
const burst = (): number => Math.min(60_000, Math.ceil((2 * Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'))) / 400));

const OVERRUN = /warning: route\/address notifications: receive queue overrun, notifications were lost: re-reading routes and addresses/;

describeLab('route sources after an overrun', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  it('re-reads the routes and sees a deletion that was lost', async () => {
    lab.addSource('up0');
    lab.ip('addr', 'add', '10.0.0.2/24', 'dev', 'up0');
    lab.ip('route', 'add', '198.51.100.0/24', 'via', '10.0.0.1');
    lab.addDestination('d0');
    const d = await lab.start(config(lab, group('wan', 'route 198.51.100.0/24', 'destinations d0', 'up-delay 0')));
    await lab.waitAdmin(['d0'], 'up');

    // Unwatched routes come and go, then the watched one goes: more than the socket can
    // queue. The deletion comes last, when the queue is full.
    const n = burst();
    const churn: string[] = [];
    for (let i = 0; i < n; i++) churn.push(`route add 10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 via 10.0.0.1`);
    for (let i = 0; i < n; i++) churn.push(`route del 10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`);
    churn.push('route del 198.51.100.0/24');
    const mark = d.mark();
    const before = lab.netlinkDrops();
    d.signal('SIGSTOP');
    try {
      lab.batch(churn);
    } finally {
      d.signal('SIGCONT');
    }
    expect(lab.netlinkDrops() - before, `${2 * n} route changes did not overrun the queue`).toBeGreaterThan(0);
    await d.waitForLog(OVERRUN, 10_000, mark);
    await lab.waitAdmin(['d0'], 'down', 10_000);
    expect((await lab.group('wan')).sources[0]).toMatchObject({ kind: 'route', healthy: false, reason: 'absent' });

    // And the socket still works after it.
    lab.ip('route', 'add', '198.51.100.0/24', 'via', '10.0.0.1');
    await lab.waitAdmin(['d0'], 'up');
  });
});
