// Runs INSIDE a namespace: ifdepd --down-delay 0 --up-delay 0 watching one veth source,
// one macvlan destination; the source's PEER is toggled down/up `batch` times per
// `ip -batch` run, until `flaps` flaps or `maxSeconds` have passed. After each batch: how long
// until the destination is back up, RSS. At the end: one more flap down, and the kernel's
// view (a dump) must show the destination down; then up again.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IFF_LOWER_UP, IFF_UP, Listener, nowMs, Requester } from '../lib/nl.mjs';
import { lineCollector, procSample, rssKiB, spawnOther } from '../lib/proc.mjs';
import { printResult } from '../lib/result.mjs';

const cfg = JSON.parse(process.argv[2]);
const { src, peer, dests, cli, dir, flaps, batch, maxSeconds } = cfg;
const dest = dests[0];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`[soak] ${s}\n`);
const listener = new Listener();
const req = new Requester();
const links = await req.links();
const idx = (n) => links.find((l) => l.name === n).index;
const [srcIdx, destIdx] = [idx(src), idx(dest)];
const until = async (fn, ms, what) => {
  const end = nowMs() + ms;
  while (!(await fn())) {
    if (nowMs() > end) throw new Error(`timeout: ${what}`);
    await sleep(20);
  }
};
const kernel = async () => {
  const l = await req.links();
  const f = (i) => l.find((x) => x.index === i)?.flags ?? 0;
  return { carrier: (f(srcIdx) & IFF_LOWER_UP) !== 0, destUp: (f(destIdx) & IFF_UP) !== 0 };
};

const daemon = spawnOther([process.execPath, ...cfg.nodeFlags, cli, '-S', src, '-D', dest, '--down-delay', '0', '--up-delay', '0']);
const lines = lineCollector(daemon, nowMs);
await until(() => lines.some((l) => /at start/.test(l.text)), 10000, 'daemon start');
await sleep(2000);
const rss0 = rssKiB(daemon.pid);
const cpu0 = procSample(daemon.pid).cpuMs;
const file = join(dir, 'flap.batch');
writeFileSync(file, `link set ${peer} down\nlink set ${peer} up\n`.repeat(batch));

const batches = [];
const started = nowMs();
let done = 0;
while (done < flaps && (nowMs() - started) / 1000 < maxSeconds) {
  const t = nowMs();
  const r = spawnSync('chrt', ['-o', '0', 'ip', '-batch', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip -batch: ${r.stderr}`);
  const ipMs = nowMs() - t;
  done += batch;
  // final state of the batch: source up, so the destination must come (or stay) up
  await until(async () => {
    const k = await kernel();
    return k.carrier && k.destUp;
  }, 30000, 'destination up after batch');
  const settleMs = nowMs() - t - ipMs;
  batches.push({ flaps: done, ipMs: Math.round(ipMs), settleMs: Math.round(settleMs), rssKiB: rssKiB(daemon.pid), cpuMs: procSample(daemon.pid).cpuMs - cpu0 });
  log(JSON.stringify(batches.at(-1)));
  await sleep(200);
}
const elapsed = (nowMs() - started) / 1000;
await sleep(2000);
const rssEnd = rssKiB(daemon.pid);
// final check both ways
await req.setAdmin(idx(peer), false);
let finalDown = false;
await until(async () => !(await kernel()).destUp, 10000, 'destination down after the final flap').then(() => (finalDown = true), (e) => log(e.message));
await req.setAdmin(idx(peer), true);
let finalUp = false;
await until(async () => (await kernel()).destUp, 10000, 'destination up again').then(() => (finalUp = true), (e) => log(e.message));
const alive = daemon.exitCode === null;
daemon.kill('SIGTERM');
await sleep(300);
const count = (re) => lines.filter((l) => re.test(l.text)).length;
const result = {
  flaps: done,
  flapSeconds: elapsed,
  flapsPerSecond: done / elapsed,
  batch,
  rssStartKiB: rss0,
  rssEndKiB: rssEnd,
  cpuMs: batches.at(-1)?.cpuMs,
  batches,
  final: { destDownAfterSourceDown: finalDown, destUpAfterSourceUp: finalUp, daemonAlive: alive },
  log: {
    lines: lines.length,
    decisionsDown: count(/-> destinations \S+ down/),
    decisionsUp: count(/-> destinations \S+ up/),
    overrunResyncs: count(/receive queue overrun/),
    resyncsLogged: count(/re-read/),
    warnings: count(/warning:/),
    errors: count(/error:/),
    sample: lines.filter((l) => /warning|error/i.test(l.text)).slice(0, 5).map((l) => l.text),
  },
  listenerOverruns: listener.overruns,
};
listener.close();
req.close();
printResult(result);
