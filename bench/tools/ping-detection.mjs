// Detection time of a ping source (issue 11): the gateway stops answering (icmp
// echo_ignore_all in its namespace) -> the probe's verdict unhealthy, against interval x
// down, for several intervals. The probe is src/probe's Pings (build/tsc/), its child run in a
// HOST namespace, the gateway in another, joined by a veth pair; the verdict is the core's
// observePing, as the daemon folds it. Each trial cuts at a random phase of the interval.
//
//   npm run build && sudo node bench/tools/ping-detection.mjs [--trials N] [--intervals 100,200,1000] [--down 3] [--timeout-equal] [--json FILE]
//
// Without --timeout-equal the timeout is the default (1 s); with it, timeout = interval.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { INITIAL_PING, observePing } from '../../build/tsc/core/sources/ping-state.js';
import { findPingTool } from '../../build/tsc/probe/ping-tool.js';
import { Pings } from '../../build/tsc/probe/pings.js';
import { createNs, destroyAll, ip } from '../lib/ns.mjs';
import { summarize } from '../lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    trials: { type: 'string', default: '10' },
    intervals: { type: 'string', default: '100,200,1000' },
    down: { type: 'string', default: '3' },
    'timeout-equal': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const trials = Number(opt.trials);
const down = Number(opt.down);
const intervals = opt.intervals.split(',').map(Number);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeout) {
  const start = performance.now();
  while (!fn()) {
    if (performance.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
  return performance.now();
}

const host = createNs('ping-host');
const gw = createNs('ping-gw');
const exitClean = () => {
  destroyAll();
  process.exit(1);
};
process.on('SIGINT', exitClean).on('SIGTERM', exitClean);
ip(host, ['link', 'add', 'h0', 'type', 'veth', 'peer', 'name', 'g0', 'netns', gw]);
ip(host, ['addr', 'add', '198.51.100.2/24', 'dev', 'h0']);
ip(host, ['link', 'set', 'h0', 'up']);
ip(gw, ['addr', 'add', '198.51.100.1/24', 'dev', 'g0']);
ip(gw, ['link', 'set', 'g0', 'up']);
const answering = (yes) => execFileSync('ip', ['netns', 'exec', gw, 'sysctl', '-q', '-w', `net.ipv4.icmp_echo_ignore_all=${yes ? 0 : 1}`]);

const nop = () => undefined;
const log = { error: console.error, warning: console.error, notice: nop, info: nop, debug: nop, always: nop };
const rows = [];
const load0 = loadavg();
try {
  for (const interval of intervals) {
    const timeout = opt['timeout-equal'] ? interval : 1000;
    const spec = { kind: 'ping', target: { family: 'inet', text: '198.51.100.1' }, interval, timeout, down, up: 3 };
    let state = INITIAL_PING;
    const pings = new Pings({
      tool: findPingTool(),
      log,
      wrap: ['/usr/sbin/ip', 'netns', 'exec', host],
      report: (_name, s, seen) => (state = observePing(state, seen, s)),
    });
    pings.reconcile(new Map([['p', spec]]));
    const times = [];
    const limit = 10 * (interval * down + timeout) + 5000;
    for (let i = 0; i < trials; i++) {
      await until('healthy', () => state.verdict === true, limit);
      await sleep(interval * (2 + Math.random())); // a random phase against the tool's schedule
      answering(false);
      const cut = performance.now();
      times.push((await until('unhealthy', () => state.verdict === false, limit)) - cut);
      answering(true);
    }
    pings.close();
    const s = summarize(times);
    rows.push({ interval, timeout, down, trials, target: interval * down, ...s, times });
    console.error(`interval ${interval} ms, timeout ${timeout} ms, down ${down}: median ${s.median} ms (min ${s.min}, max ${s.max})`);
  }
} finally {
  destroyAll();
}
const load1 = loadavg();
const f = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
console.log(`load average (1/5/15 min) before ${load0.map((l) => l.toFixed(2)).join(' / ')}, after ${load1.map((l) => l.toFixed(2)).join(' / ')}\n`);
console.log('| interval | timeout | down | trials | interval x down | median | p90 | min | max |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${f(r.interval)} | ${f(r.timeout)} | ${r.down} | ${r.n} | ${f(r.target)} | ${f(r.median)} | ${f(r.p90)} | ${f(r.min)} | ${f(r.max)} |`);
if (opt.json) writeFileSync(opt.json, JSON.stringify({ command: process.argv.slice(1), load0, load1, rows }, null, 2));
