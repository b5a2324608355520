#!/usr/bin/env node
// Reaction of route and address sources against their floor (issue 11), as the reaction suite
// does for carrier. In a throw-away namespace: a route (198.51.100.0/24 via up0) or an address
// (192.0.2.7/24 on up0) is added and deleted through rtnetlink; an independent listener stamps
//   t1 the kernel's route/address notification  ->  t2 the destination d0 admin down/up.
// reaction = t2 - t1. Rows:
//   ifdepd-route    `route 198.51.100.0/24 dev up0`, delays 0
//   floor-route     bench/floor-probe-reactor.mjs: on the same notification, setLink d0; nothing else
//   ifdepd-address  `address up0 inet 192.0.2.0/24`, delays 0
//   floor-address   the same floor, for address notifications
// Usage (root): node bench/tools/probe-reaction.mjs [TRIALS]   -> a table on stdout
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetlink, createRtNetlink, Protocol } from 'netlink';
import { createNs, destroyAll, ip } from '../lib/ns.mjs';
import { ifdepdNodeFlags } from '../lib/node-flags.mjs';
import { summarize } from '../lib/stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const here = (p) => new URL(p, import.meta.url).pathname;

if (process.argv[2] !== '--inner') {
  const trials = Number(process.argv[2] ?? 100);
  const ns = createNs('probe');
  try {
    ip(ns, ['link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'up0p']);
    ip(ns, ['link', 'set', 'up0', 'up']);
    ip(ns, ['link', 'set', 'up0p', 'up']);
    ip(ns, ['addr', 'add', '10.0.0.2/24', 'dev', 'up0']);
    ip(ns, ['link', 'add', 'br0', 'type', 'bridge']);
    ip(ns, ['link', 'set', 'br0', 'up']);
    ip(ns, ['link', 'add', 'link', 'br0', 'name', 'd0', 'up', 'type', 'macvlan', 'mode', 'bridge']);
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, here(import.meta.url.replace('file://', '')), '--inner', String(trials)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.on('exit', r));
    process.stdout.write(out);
  } finally {
    destroyAll();
  }
  process.exit(0);
}

const trials = Number(process.argv[3]);
const dir = mkdtempSync(join(tmpdir(), 'probe-bench-'));
const rt = createRtNetlink({ ref: false, recvBufferSize: 8 << 20, sendBufferSize: 0 });
rt.socket.on('error', () => {});
const index = (name) => rt.getLinks().then((ls) => ls.find((l) => l.attrs.ifname === name).data.index);
const [up0, d0] = [await index('up0'), await index('d0')];

// The observer: link, IPv4 address and IPv4 route notifications, stamped on arrival.
const watchers = new Set();
const sock = createNetlink(Protocol.ROUTE, { ref: true, recvBufferSize: 8 << 20, sendBufferSize: 0 });
sock.on('error', (e) => process.stderr.write(`observer: ${e.message}\n`));
sock.on('message', (msgs) => {
  const t = nowMs();
  for (const m of msgs) for (const w of watchers) w(m, t);
});
for (const g of [1, 5, 7]) sock.addMembership(g);
let d0Up = true;
watchers.add((m, t) => {
  if (m.type === 16 && m.data.readInt32LE(4) === d0) d0Up = (m.data.readUInt32LE(8) & 1) !== 0;
});

const isRoute = (m) => (m.type === 24 || m.type === 25) && m.data[0] === 2 && m.data[1] === 24;
const isAddress = (m) => (m.type === 20 || m.type === 21) && m.data[0] === 2 && m.data.readUInt32LE(4) === up0;
const triggers = {
  route: { on: () => rt.newRoute({ family: 2, dstLen: 24, table: 254, protocol: 4, scope: 0, type: 1 }, { dst: Buffer.from([198, 51, 100, 0]), gateway: Buffer.from([10, 0, 0, 1]), oif: up0 }, { flags: 0x400 | 0x200 }), off: () => rt.delRoute({ family: 2, dstLen: 24, table: 254 }, { dst: Buffer.from([198, 51, 100, 0]) }), is: isRoute },
  address: { on: () => rt.newAddress({ family: 2, prefixlen: 24, index: up0 }, { local: Buffer.from([192, 0, 2, 7]), address: Buffer.from([192, 0, 2, 7]) }, { flags: 0x400 }), off: () => rt.delAddress({ family: 2, prefixlen: 24, index: up0 }, { local: Buffer.from([192, 0, 2, 7]) }), is: isAddress },
};

function transition(kind, up) {
  return new Promise((resolve) => {
    let t1;
    const w = (m, t) => {
      if (t1 === undefined && triggers[kind].is(m)) t1 = t;
      if (m.type === 16 && m.data.readInt32LE(4) === d0 && ((m.data.readUInt32LE(8) & 1) !== 0) === up && t1 !== undefined) finish(t - t1);
    };
    const finish = (ms) => {
      watchers.delete(w);
      clearTimeout(timer);
      resolve(ms);
    };
    const timer = setTimeout(() => finish(undefined), 3000);
    watchers.add(w);
    (up ? triggers[kind].on() : triggers[kind].off()).catch((e) => process.stderr.write(`trigger: ${e.message}\n`));
  });
}

function start(row) {
  const [kind, who] = [row.includes('route') ? 'route' : 'address', row.startsWith('floor') ? 'floor' : 'ifdepd'];
  if (who === 'floor') return { kind, child: spawn(process.execPath, [here('../floor-probe-reactor.mjs'), kind, 'up0', 'd0'], { stdio: ['ignore', 'pipe', 'inherit'] }) };
  const line = kind === 'route' ? 'route 198.51.100.0/24 dev up0' : 'address up0 inet 192.0.2.0/24';
  const conf = join(dir, `${row}.conf`);
  writeFileSync(conf, `startup-hold 0\ngroup bench {\n    ${line}\n    destinations d0\n    down-delay 0\n    up-delay 0\n}\n`);
  const cli = here('../../dist/cli.js');
  return { kind, child: spawn(process.execPath, [...ifdepdNodeFlags(), cli, '-f', conf, '--control-socket', join(dir, `${row}.sock`)], { stdio: ['ignore', 'pipe', 'pipe'] }) };
}

const rows = {};
for (const row of ['floor-route', 'ifdepd-route', 'floor-address', 'ifdepd-address']) {
  // Start with the source present and d0 up.
  const { kind, child } = start(row);
  await triggers[kind].on().catch(() => {});
  let text = '';
  child.stdout.on('data', (d) => (text += d));
  child.stderr?.on('data', (d) => (text += d));
  const end = nowMs() + 10_000;
  while (!/at start|ready/.test(text) && nowMs() < end) await sleep(20);
  await sleep(300);
  const down = [];
  const up = [];
  for (let k = -2; k < trials; k++) {
    await sleep(20 + Math.random() * 20);
    const a = await transition(kind, false);
    await sleep(20 + Math.random() * 20);
    const b = await transition(kind, true);
    if (k >= 0) (down.push(a), up.push(b));
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  if (!d0Up) await rt.setLink({ index: d0, flags: { up: true }, change: { up: true } });
  await triggers[kind].off().catch(() => {});
  rows[row] = { down: summarize(down), up: summarize(up), timeouts: [...down, ...up].filter((x) => x === undefined).length };
}
rmSync(dir, { recursive: true, force: true });
const ratio = (a, b) => (a / b).toFixed(2);
console.log('| row | down median | down p90 | up median | up p90 | timeouts |\n|---|---|---|---|---|---|');
for (const [row, r] of Object.entries(rows)) console.log(`| ${row} | ${r.down.median} ms | ${r.down.p90} ms | ${r.up.median} ms | ${r.up.p90} ms | ${r.timeouts} |`);
for (const kind of ['route', 'address']) {
  const [i, f] = [rows[`ifdepd-${kind}`], rows[`floor-${kind}`]];
  console.log(`${kind}: ifdepd / floor, median: down ${ratio(i.down.median, f.down.median)}x, up ${ratio(i.up.median, f.up.median)}x`);
}
sock.close();
process.exit(0);
