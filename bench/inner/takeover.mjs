// Runs INSIDE fw2's namespace (started by bench/takeover.mjs): the HA pair's takeover time.
// fw1's uplink is a veth whose far end (`peer`) lives here, so the cut is a local netlink
// request and its instant is known here; so is the VIP's arrival on fw2.
//   t0 trigger sent (fw1's uplink peer set down)  ->  t2 listener sees the VIP added on fw2.
// takeover = t2 - t0: ifdepd's reaction on fw1, the action in the kernel, keepalived going
// FAULT and fw2's keepalived becoming MASTER. back = uplink restored -> VIP gone from fw2
// (the up-delay plus fw1's preemption), recorded but not the point.
import { execFileSync } from 'node:child_process';
import { Listener, nowMs, Requester } from '../lib/nl.mjs';
import { printResult } from '../lib/result.mjs';

const cfg = JSON.parse(process.argv[2]);
const { peer, vip, trials, advertInt, action } = cfg;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`[takeover ${action}] ${s}\n`);

const listener = new Listener();
const req = new Requester();
const peerIdx = (await req.links()).find((l) => l.name === peer)?.index;
if (peerIdx === undefined) throw new Error(`no link ${peer}`);
// The listener only sees changes: start from the kernel's view of the VIP.
const addrs = JSON.parse(execFileSync('ip', ['-j', 'addr', 'show'], { encoding: 'utf8' }));
let vipHere = addrs.some((a) => a.addr_info?.some((i) => i.local === vip));
listener.watchers.add((e) => {
  if ((e.kind === 'addr+' || e.kind === 'addr-') && e.addr === vip) vipHere = e.kind === 'addr+';
});

const masterDownMs = (priority) => (3 * advertInt + ((256 - priority) / 256) * advertInt) * 1000;
const TIMEOUT = masterDownMs(1) + 5000;

/** Triggers `up` on fw1's uplink and resolves when the VIP is (up: gone, down: present) on fw2. */
function transition(up) {
  return new Promise((resolve) => {
    const want = !up;
    const done = (res) => {
      listener.watchers.delete(w);
      clearTimeout(timer);
      resolve(res);
    };
    const w = (e) => {
      if ((e.kind === 'addr+' || e.kind === 'addr-') && e.addr === vip && (e.kind === 'addr+') === want) done({ t0, t2: e.t });
    };
    listener.watchers.add(w);
    const timer = setTimeout(() => done({ t0, timeout: true }), TIMEOUT);
    const t0 = nowMs();
    req.setAdmin(peerIdx, up).catch((e) => log(`trigger: ${e.message}`));
  });
}

async function waitVip(present, timeout) {
  const end = nowMs() + timeout;
  while (vipHere !== present) {
    if (nowMs() > end) throw new Error(`timeout waiting for the VIP to be ${present ? 'on' : 'off'} fw2`);
    await sleep(5);
  }
}

await waitVip(false, TIMEOUT); // fw1 is MASTER
const rows = [];
for (let k = -1; k < trials; k++) {
  // A random phase within the advert interval: the takeover depends on when fw2 last heard fw1.
  await sleep(2 * advertInt * 1000 + Math.random() * advertInt * 1000);
  const down = await transition(false);
  const up = await transition(true);
  if (k >= 0) rows.push({ takeover: down.timeout ? null : down.t2 - down.t0, back: up.timeout ? null : up.t2 - up.t0 });
  if (down.timeout || up.timeout) {
    log(`trial ${k} timed out (down ${JSON.stringify(down)}, up ${JSON.stringify(up)})`);
    await req.setAdmin(peerIdx, true).catch(() => {});
    await waitVip(false, TIMEOUT).catch((e) => log(e.message));
  }
}
listener.close();
req.close();
printResult({ action, trials: rows, overruns: listener.overruns });
