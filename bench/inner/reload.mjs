// Runs INSIDE a namespace (bench/reload.mjs): does a reload of the largest configuration
// file the limits allow delay a failover? ifdepd -f runs one real group (source src,
// destination d0, down-delay 0). Each trial cuts the source's carrier and times
//   t1 listener sees the source lose LOWER_UP  ->  t2 listener sees d0 admin down
// reaction = t2 - t1, in two kinds of trials, interleaved:
//   floor:  nothing else happens (the same daemon, the same run);
//   reload: the file was replaced by the maximal one and SIGHUP sent, and the cut comes at a
//           random instant within the reload (0 .. the calibrated SIGHUP -> "reloaded" time).
// Then the source comes back and the small file is reloaded, so that every reload trial
// adds the same 1,023 groups. Prints one JSON document on stdout; progress on stderr.
import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IFF_LOWER_UP, IFF_UP, Listener, nowMs, Requester } from '../lib/nl.mjs';
import { lineCollector, spawnOther } from '../lib/proc.mjs';
import { maximalConfig } from '../lib/maxconf.mjs';
import { printResult } from '../lib/result.mjs';

const cfg = JSON.parse(process.argv[2]);
const { src, peer, dests, dir, cli, trials } = cfg;
const dest = dests[0];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`[reload] ${s}\n`);

const listener = new Listener();
const req = new Requester();
const links = await req.links();
for (const l of links) listener.flags.set(l.index, l.flags);
const idx = (n) => links.find((l) => l.name === n).index;
const [peerIdx, srcIdx, destIdx] = [idx(peer), idx(src), idx(dest)];
const flag = (i, f) => ((listener.flags.get(i) ?? 0) & f) !== 0;
let daemonLines = [];
const until = async (fn, ms, what) => {
  const end = nowMs() + ms;
  while (!fn()) {
    if (nowMs() > end) throw new Error(`timeout: ${what}\n${daemonLines.slice(-15).map((l) => l.text.slice(0, 300)).join('\n')}`);
    await sleep(2);
  }
};

const conf = join(dir, 'ifdepd.conf');
const real = `control-socket ${join(dir, 'ctl.sock')}\ngroup real {\n    sources ${src}\n    destinations ${dest}\n    down-delay 0\n    up-delay 0\n}\n`;
writeFileSync(join(dir, 'small.conf'), real);
const { MAX_FILE_BYTES, MAX_GLOBS, MAX_GROUPS, MAX_NAMES } = await import(new URL('./config/limits.js', `file://${cli}`).href);
const max = maximalConfig(real, 1, 2, { MAX_FILE_BYTES, MAX_GLOBS, MAX_GROUPS, MAX_NAMES });
writeFileSync(join(dir, 'max.conf'), max);
/** Replaces the file atomically, as an operator's editor or config management would. */
const install = (name) => {
  copyFileSync(join(dir, name), `${conf}.new`);
  renameSync(`${conf}.new`, conf);
};
install('small.conf');

const child = spawnOther([process.execPath, cli, '-f', conf]);
const lines = lineCollector(child, nowMs);
daemonLines = lines;
await until(() => lines.some((l) => /control socket/.test(l.text)), 15000, 'daemon start');
await until(() => flag(destIdx, IFF_UP) && flag(srcIdx, IFF_LOWER_UP), 5000, 'destination up');

/** SIGHUP; resolves with the time from the signal to the "reloaded ... N group(s)" line. */
async function reload(groups) {
  const from = lines.length;
  const t = nowMs();
  child.kill('SIGHUP');
  const re = new RegExp(`reloaded .*: ${groups} group\\(s\\)`);
  await until(() => lines.slice(from).some((l) => re.test(l.text) || /reload refused/.test(l.text)), 30000, 'reload');
  const line = lines.slice(from).find((l) => re.test(l.text) || /reload refused/.test(l.text));
  if (/refused/.test(line.text)) throw new Error(line.text);
  return line.t - t;
}

/** Cuts the carrier; resolves with t2 - t1 once d0 is down, then restores both. */
async function failover() {
  let t1;
  let t2;
  const w = (e) => {
    if (e.kind !== 'link' || e.flags === -1) return;
    if (e.index === srcIdx && (e.flags & IFF_LOWER_UP) === 0 && t1 === undefined) t1 = e.t;
    if (e.index === destIdx && (e.flags & IFF_UP) === 0 && t2 === undefined) t2 = e.t;
  };
  listener.watchers.add(w);
  await req.setAdmin(peerIdx, false);
  await until(() => t1 !== undefined && t2 !== undefined, 10000, 'destination down');
  listener.watchers.delete(w);
  await req.setAdmin(peerIdx, true);
  await until(() => flag(destIdx, IFF_UP) && flag(srcIdx, IFF_LOWER_UP), 10000, 'destination up again');
  return t2 - t1;
}

// Calibration: how long a reload of the maximal file takes here, now.
const calibration = [];
for (let i = 0; i < 3; i++) {
  install('max.conf');
  calibration.push(await reload(MAX_GROUPS));
  install('small.conf');
  await reload(1);
}
const window = Math.max(...calibration);
log(`reload of the maximal file (${Buffer.byteLength(max)} bytes, ${MAX_GROUPS} groups): ${calibration.map((x) => x.toFixed(0)).join(', ')} ms`);

const floor = [];
const during = [];
for (let i = 0; i < trials; i++) {
  await sleep(50 + Math.random() * 50);
  floor.push(await failover());
  install('max.conf');
  const offset = Math.random() * window;
  const from = lines.length;
  const t = nowMs();
  child.kill('SIGHUP');
  await sleep(offset);
  const reaction = await failover();
  await until(() => lines.slice(from).some((l) => /reloaded .*group\(s\)|reload refused/.test(l.text)), 30000, 'reload end');
  const end = lines.slice(from).find((l) => /reloaded .*group\(s\)|reload refused/.test(l.text));
  if (/refused/.test(end.text)) throw new Error(end.text);
  during.push({ reaction, offset, reloadMs: end.t - t });
  install('small.conf');
  await reload(1);
  if (i % 10 === 9) log(`${i + 1}/${trials}`);
}
child.kill('SIGTERM');
printResult({ fileBytes: Buffer.byteLength(max), groups: MAX_GROUPS, calibration, floor, during });
