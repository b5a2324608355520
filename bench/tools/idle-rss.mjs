// Idle resident memory of ifdepd against bare Node's, measured in the same run (issue 21,
// target 3): -S/-D within bare Node + 6 MiB; -f with a control socket, metrics off, within
// + 8 MiB; the same with metrics-listen within + 20 MiB (the 46/48/60 MiB of the issue,
// against the 40 MiB floor it was written on). Root: the daemons run in a throw-away network
// namespace with a veth pair for a source and a macvlan destination (bench/lib/topo.mjs).
//
//   npm run build && node bench/tools/idle-rss.mjs       (ROUNDS=3, SETTLE=8 s by default)
//
// Each round starts the four processes together, lets them settle, then reads VmRSS five
// times one second apart and keeps the last; the table is the median over rounds. ifdepd
// runs with the shipped node options (bench/lib/node-flags.mjs), the floor with none.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNs, destroyAll, spawnIn } from '../lib/ns.mjs';
import { ifdepdNodeFlags } from '../lib/node-flags.mjs';
import { rssKiB } from '../lib/proc.mjs';
import { summarize } from '../lib/stats.mjs';
import { reactionTopo } from '../lib/topo.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SETTLE_MS = Number(process.env.SETTLE ?? 8) * 1000;
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const ns = createNs('rss');
const dir = mkdtempSync(join(tmpdir(), 'ifdepd-rss-'));
try {
  const { src, dests } = reactionTopo(ns, 1);
  const group = `group idle {\n    sources      ${src}\n    destinations ${dests.join(' ')}\n}\n`;
  writeFileSync(join(dir, 'plain.conf'), group);
  writeFileSync(join(dir, 'metrics.conf'), `metrics-listen 127.0.0.1:9799\n${group}`);
  const ifdepd = [process.execPath, ...ifdepdNodeFlags(), CLI];
  const commands = {
    'node setInterval (floor)': [process.execPath, '-e', 'setInterval(()=>{},1e9)'],
    'ifdepd -S/-D': [...ifdepd, '-S', src, '-D', dests.join(':')],
    'ifdepd -f, control socket': [...ifdepd, '-f', join(dir, 'plain.conf'), '--control-socket', join(dir, 'a.sock')],
    'ifdepd -f, socket, metrics': [...ifdepd, '-f', join(dir, 'metrics.conf'), '--control-socket', join(dir, 'b.sock')],
  };
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    const procs = Object.fromEntries(Object.entries(commands).map(([k, argv]) => [k, spawnIn(ns, argv, { stdio: 'ignore' })]));
    await sleep(SETTLE_MS);
    let last = {};
    for (let i = 0; i < 5; i += 1) {
      last = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, rssKiB(p.pid)]));
      await sleep(1000);
    }
    for (const [k, p] of Object.entries(procs)) {
      if (last[k] === null) throw new Error(`${k} exited before it was measured (${commands[k].join(' ')})`);
      samples[k].push(last[k]);
      p.kill('SIGTERM');
    }
    await sleep(500);
  }
  const mib = (kib) => kib / 1024;
  const floor = mib(summarize(samples['node setInterval (floor)']).median);
  const limits = { 'ifdepd -S/-D': 6, 'ifdepd -f, control socket': 8, 'ifdepd -f, socket, metrics': 20 };
  console.log(`idle VmRSS, ${ROUNDS} rounds, median MiB (min, max), ifdepd with [${ifdepdNodeFlags().join(' ')}] (Node ${process.version})`);
  for (const [k, xs] of Object.entries(samples)) {
    const s = summarize(xs.map(mib));
    const over = s.median - floor;
    const limit = limits[k];
    const verdict = limit === undefined ? '' : `  floor + ${over.toFixed(1)} (target + ${limit}: ${over <= limit ? 'met' : 'NOT met'})`;
    console.log(`${k.padEnd(28)} ${s.median.toFixed(1).padStart(6)} (${s.min.toFixed(1)}, ${s.max.toFixed(1)})${verdict}`);
  }
} finally {
  destroyAll();
  rmSync(dir, { recursive: true, force: true });
}
