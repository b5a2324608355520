// Runs INSIDE a namespace holding ~k interfaces. For each start: source down, destination up,
// spawn ifdepd -v; time spawn -> destination admin down (listener), the log's own stamps,
// (`read N links`: N is what the daemon read, hostLinks what the namespace holds),
// RSS; then SIGHUP `hups` times, timing signal -> `read N links (SIGHUP)` line. Before each
// start, `node -e 0` spawn -> exit, the floor of issue 21's target 2 (first enforced decision
// within 2x of it), measured in the same namespace and moment.
import { IFF_LOWER_UP, IFF_UP, Listener, nowMs, Requester } from '../lib/nl.mjs';
import { lineCollector, rssKiB, spawnOther } from '../lib/proc.mjs';
import { spawnSync } from 'node:child_process';
import { printResult } from '../lib/result.mjs';

const cfg = JSON.parse(process.argv[2]);
const { src, peer, dests, cli, starts, hups } = cfg;
const dest = dests[0];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`[scale k=${cfg.k}] ${s}\n`);
const listener = new Listener();
const req = new Requester();
const links = await req.links();
for (const l of links) listener.flags.set(l.index, l.flags);
const idx = (n) => links.find((l) => l.name === n).index;
const [peerIdx, srcIdx, destIdx] = [idx(peer), idx(src), idx(dest)];
const until = async (fn, ms, what) => {
  const end = nowMs() + ms;
  while (!fn()) {
    if (nowMs() > end) throw new Error(`timeout: ${what}`);
    await sleep(2);
  }
};
const destUp = () => ((listener.flags.get(destIdx) ?? 0) & IFF_UP) !== 0;
await req.setAdmin(peerIdx, false);
await until(() => ((listener.flags.get(srcIdx) ?? 0) & IFF_LOWER_UP) === 0, 5000, 'source down');

const isoMs = (line) => {
  const m = /^(\S+Z) /.exec(line);
  return m ? Date.parse(m[1]) : undefined;
};
const runs = [];
for (let s = 0; s < starts; s++) {
  if (!destUp()) await req.setAdmin(destIdx, true);
  await until(destUp, 5000, 'destination up');
  await sleep(200);
  const tNode = nowMs();
  spawnSync('chrt', ['-o', '0', process.execPath, '-e', '0'], { stdio: 'ignore' });
  const nodeFloorMs = nowMs() - tNode;
  let tDown;
  const w = (e) => {
    if (e.kind === 'link' && e.index === destIdx && e.flags !== -1 && (e.flags & IFF_UP) === 0 && tDown === undefined) tDown = e.t;
  };
  listener.watchers.add(w);
  const wall0 = Date.now();
  const t0 = nowMs();
  const child = spawnOther([process.execPath, ...cfg.nodeFlags, cli, '-v', '-S', src, '-D', dest, '--down-delay', '0', '--up-delay', '0']);
  const lines = lineCollector(child, nowMs);
  await until(() => tDown !== undefined, 30000, 'destination down after start');
  listener.watchers.delete(w);
  await until(() => lines.some((l) => /read \d+ links \(start\)/.test(l.text)), 5000, 'read links line');
  const first = lines[0];
  const readLine = lines.find((l) => /read \d+ links \(start\)/.test(l.text));
  const linkCount = Number(/read (\d+) links/.exec(readLine.text)[1]);
  await sleep(1000);
  const rssStart = rssKiB(child.pid);
  const hupMs = [];
  for (let h = 0; h < hups; h++) {
    const before = lines.length;
    const t = nowMs();
    child.kill('SIGHUP');
    await until(() => lines.slice(before).some((l) => /read \d+ links \(SIGHUP\)/.test(l.text)), 30000, 'SIGHUP resync line');
    hupMs.push(lines.slice(before).find((l) => /read \d+ links \(SIGHUP\)/.test(l.text)).t - t);
    await sleep(150);
  }
  await sleep(500);
  const rssAfterHup = rssKiB(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  runs.push({
    // the interfaces in the namespace, and how many the daemon read (by name: only the named ones)
    hostLinks: links.length,
    linkCount,
    spawnToDestDownMs: tDown - t0,
    nodeFloorMs,
    // the daemon's own ISO stamps (ms resolution, wall clock)
    spawnToFirstLogMs: isoMs(first.text) - wall0,
    spawnToReadLinksLogMs: isoMs(readLine.text) - wall0,
    // what Node's own start-up (spawn -> first log line, moving with the load) leaves out
    firstLogToDestDownMs: tDown - t0 - (isoMs(first.text) - wall0),
    firstLogToReadLinksMs: isoMs(readLine.text) - isoMs(first.text),
    hupMs,
    rssStartKiB: rssStart,
    rssAfterHupsKiB: rssAfterHup,
  });
  log(`start ${s}: ${JSON.stringify(runs.at(-1))}`);
}
listener.close();
req.close();
printResult({ k: cfg.k, runs });
