// Slow HTTP clients against the /metrics listener of a running daemon (inside the lab's
// namespace, on its own loopback). A local user needs no privilege to connect, so
// connections that send half a request and nothing more (a "slowloris") must neither
// hold the listener's slots for long nor keep a real scrape out: each is cut within a
// few seconds of its first byte, and a scrape is answered within 5 s while they keep
// coming back (issue 19, defect 3).
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { describeLab, Lab, perTest, sleep, waitFor, type Proc } from '../lab/index.js';

const PORT = 9733;
/** The listener's slots (MAX_CONNECTIONS in src/metrics/http-server.ts): the attack fills them. */
const SLOTS = 16;
/** What a Prometheus scrape may take here: its answer, not a retry. */
const SCRAPE_MS = 5000;

/**
 * The attacker: CLIENTS connections to 127.0.0.1:PORT, each sending the start of a request
 * and then nothing. With RECONNECT=1 each one the server closes is opened again at once.
 * Bounded: it stops after SECONDS or MAX_CONNECTS connections, whichever comes first.
 * Prints `holding` once SLOTS are open at the same time, `lifetime <ms>` for each
 * connection the server closed, and `done {...}` with its counts when it stops.
 */
const ATTACKER = `
import { createConnection } from 'node:net';
const [port, clients, reconnect, seconds, slots] = process.argv.slice(1).map(Number);
const MAX_CONNECTS = 100000;
const deadline = performance.now() + seconds * 1000;
let open = 0, connects = 0, closedByServer = 0, holding = false, stopping = false;
function connect() {
  if (stopping || performance.now() > deadline || connects >= MAX_CONNECTS) return;
  connects++;
  const s = createConnection({ host: '127.0.0.1', port });
  let at;
  s.on('error', () => {});
  s.on('connect', () => {
    at = performance.now();
    open++;
    if (!holding && open >= slots) { holding = true; console.log('holding'); }
    s.write('GET /metrics HTTP/1.1\\r\\nHost: x\\r\\n');
  });
  s.on('close', () => {
    if (at !== undefined) { open--; closedByServer++; console.log('lifetime ' + Math.round(performance.now() - at)); }
    if (reconnect) setImmediate(connect);
  });
}
for (let i = 0; i < clients; i++) connect();
const stop = () => { stopping = true; console.log('done ' + JSON.stringify({ connects, closedByServer, open })); process.exit(0); };
setTimeout(stop, seconds * 1000);
process.on('SIGTERM', stop);
`;

function attack(lab: Lab, clients: number, reconnect: boolean, seconds: number): Proc {
  return lab.exec([process.execPath, '--input-type=module', '-e', ATTACKER, String(PORT), String(clients), reconnect ? '1' : '0', String(seconds), String(SLOTS)]);
}

/** One scrape with curl inside the namespace, as Prometheus would: one try, SCRAPE_MS at most. */
function scrape(lab: Lab): Promise<{ code: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const args = ['netns', 'exec', lab.ns, 'curl', '-s', '-o', '/dev/null', '-m', String(SCRAPE_MS / 1000), '-w', '%{http_code}', `http://127.0.0.1:${PORT}/metrics`];
    execFile('ip', args, { encoding: 'utf8' }, (_err, stdout) => resolve({ code: stdout.trim(), ms: Math.round(performance.now() - started) }));
  });
}

const lifetimes = (p: Proc): number[] => p.lines().flatMap((l) => /lifetime (\d+)/.exec(l)?.[1] ?? []).map(Number);

describeLab('metrics listener under slow clients', () => {
  let lab: Lab;
  perTest(
    () => Lab.create('ifdepd-pth'),
    (fresh) => (lab = fresh),
  );

  const start = async (): Promise<Proc> => {
    lab.addSource('u0');
    lab.addDestination('vrrp0');
    const d = await lab.daemon(['-S', 'u0', '-D', 'vrrp0', '--metrics-listen', `127.0.0.1:${PORT}`]);
    await waitFor('a first scrape', async () => (await scrape(lab)).code === '200', { timeout: 10_000, interval: 100, context: () => d.tail() });
    return d;
  };

  it('half-sent requests are cut within a few seconds, not at the next 30 s check', async () => {
    const d = await start();
    const a = attack(lab, SLOTS, false, 60);
    await a.waitForLog(/^holding/, 10_000);
    // Node's headers time-out, if only checked every 30 s, leaves them 5-35 s.
    await waitFor(`the server to close all ${SLOTS} slow connections`, () => lifetimes(a).length === SLOTS, {
      timeout: 12_000,
      interval: 100,
      context: () => `${a.tail()}\n${d.tail()}`,
    });
    expect(Math.max(...lifetimes(a)), a.tail()).toBeLessThan(6000);
  });

  it('a scrape is answered within 5 s, again and again, while slow clients keep reconnecting', async () => {
    const d = await start();
    // Twice as many as there are slots, for 40 s at most (the scrapes below take ~12 s).
    const a = attack(lab, 2 * SLOTS, true, 40);
    await a.waitForLog(/^holding/, 10_000);
    const results: Array<{ code: string; ms: number }> = [];
    const until = performance.now() + 10_000;
    while (performance.now() < until) {
      results.push(await scrape(lab));
      // Paced like a (very eager) Prometheus: not a wait for a state, and under the 20 a second cut.
      await sleep(500);
    }
    const summary = `${JSON.stringify(results)}\n${a.tail(5)}\n${d.tail(10)}`;
    expect(a.alive, `the attack ran throughout\n${summary}`).toBe(true);
    expect(results.length, summary).toBeGreaterThanOrEqual(5);
    for (const r of results) expect(r.code, summary).toBe('200');
    // The slow clients were really there: the server kept closing them and they kept coming back.
    expect(lifetimes(a).length, summary).toBeGreaterThan(SLOTS);
    expect(d.alive, d.tail()).toBe(true);
  });
});
