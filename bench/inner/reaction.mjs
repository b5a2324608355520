// Runs INSIDE the namespace (started by bench/run.mjs with `ip netns exec`): for each tool,
// start it, flap the source's veth peer `trials` times down and up, and time each transition
// with the independent listener. Prints one JSON document on stdout; progress on stderr.
//   t0 trigger sent (setLink on the PEER)  ->  t1 listener sees the source lose/regain LOWER_UP
//   ->  t2 listener sees the LAST destination admin down/up (or the VIP removed/added).
// reaction = t2 - t1 (the measured figure); notify = t1 - t0 (kernel + listener floor).
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { IFF_LOWER_UP, IFF_UP, Listener, nowMs, PROTO_DOWN, Requester } from '../lib/nl.mjs';
import { printResult } from '../lib/result.mjs';

const cfg = JSON.parse(process.argv[2]);
const { n, src, peer, dests, dir, cli, vip, group, bridge } = cfg;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`[reaction n=${n}] ${s}\n`);

const listener = new Listener();
const req = new Requester();
const links = await req.links();
const idx = (name) => {
  const l = links.find((x) => x.name === name);
  if (!l) throw new Error(`no link ${name}`);
  return l.index;
};
const srcIdx = idx(src);
const peerIdx = idx(peer);
const brIdx = idx(bridge);
const destIdx = dests.map(idx);
const destSet = new Set(destIdx);
for (const l of links) if (!listener.flags.has(l.index)) listener.flags.set(l.index, l.flags);

// Action scripts the peers run: one `ip -batch` for all destinations (their best case).
writeFileSync(join(dir, 'down.batch'), dests.map((d) => `link set ${d} down`).join('\n') + '\n');
writeFileSync(join(dir, 'up.batch'), dests.map((d) => `link set ${d} up`).join('\n') + '\n');
writeFileSync(join(dir, 'dests.txt'), dests.join('\n') + '\n');
const script = (name, body) => {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
};
// ifplugd: script IFACE up|down ; netplug: script IFACE in|out|probe
const ifplugdAction = script('ifplugd.action', `case "$2" in up) exec ip -b ${dir}/up.batch;; down) exec ip -b ${dir}/down.batch;; esac\nexit 0`);
const netplugAction = script('netplug.action', `case "$2" in in) exec ip -b ${dir}/up.batch;; out) exec ip -b ${dir}/down.batch;; esac\nexit 0`);
const shellLoop = script(
  'monitor-loop.sh',
  `state=up
ip -o monitor link | while read -r line; do
  case "$line" in
    *": ${src}@"*|*": ${src}:"*)
      case "$line" in *LOWER_UP*) new=up;; *) new=down;; esac
      if [ "$new" != "$state" ]; then state=$new; ip -b ${dir}/$new.batch; fi;;
  esac
done`,
);

function atomicConf(action) {
  const conf = join(dir, `ifdepd-${action}-atomic.conf`);
  writeFileSync(conf, `group bench {\n    sources      ${src}\n    destinations "d*"\n    action       ${action}\n    atomic group ${group}\n    down-delay   0\n    up-delay     0\n}\n`);
  return { argv: [process.execPath, ...cfg.nodeFlags, cli, '-f', conf, '--control-socket', join(dir, 'ctl.sock')], ready: /at start/ };
}

/** ifdepd -S/-D as the `ifdepd` row runs it, with `extra` options. */
const cliArgs = (...extra) => [process.execPath, ...cfg.nodeFlags, cli, '-S', src, '-D', dests.join(':'), '--down-delay', '0', '--up-delay', '0', ...extra];
const tool = (name) => new URL(`../tools/${name}`, import.meta.url).pathname;
/** The same, with `sidecar` (a shell command; "$0" is node) in its process group: stopped with it. */
const withSidecar = (sidecar, argv) => ['sh', '-c', `${sidecar} & exec "$0" "$@"`, ...argv];

const TOOLS = {
  ifdepd: () => ({ argv: cliArgs(), ready: /at start/ }),
  // ifdepd serving /metrics while 16 clients scrape it back to back (bench/tools/scrape-flood.mjs).
  'ifdepd-scraped': () => ({
    argv: withSidecar(`"$0" ${tool('scrape-flood.mjs')} 9732 16`, cliArgs('--metrics-listen', '127.0.0.1:9732')),
    ready: /at start/,
  }),
  // ifdepd with 10 `ifdepd monitor --json` clients that never read (bench/tools/stalled-monitors.mjs).
  'ifdepd-monitored': () => {
    const sock = join(dir, 'monitored.sock');
    return {
      argv: withSidecar(`(sleep 1; exec "$0" ${tool('stalled-monitors.mjs')} ${sock} 10)`, cliArgs('--control-socket', sock)),
      ready: /at start/,
      wait: 1500,
    };
  },
  'floor-node': () => ({ argv: [process.execPath, new URL('../floor-reactor.mjs', import.meta.url).pathname, src, 'each', join(dir, 'dests.txt')], ready: /ready/ }),
  'ifdepd-protodown': () => {
    const conf = join(dir, 'ifdepd-protodown.conf');
    writeFileSync(conf, `group bench {\n    sources      ${src}\n    destinations "d*"\n    action       protodown\n    down-delay   0\n    up-delay     0\n}\n`);
    return { argv: [process.execPath, ...cfg.nodeFlags, cli, '-f', conf, '--control-socket', join(dir, 'ctl.sock')], ready: /at start/, action: 'protodown' };
  },
  'floor-protodown': () => ({ argv: [process.execPath, new URL('../floor-reactor.mjs', import.meta.url).pathname, src, 'protodown', join(dir, 'dests.txt')], ready: /ready/, action: 'protodown' }),
  // atomic: the destinations are in the topology's ifgroup already; ifdepd finds them there and uses it.
  'ifdepd-atomic': () => atomicConf('admin'),
  'ifdepd-protodown-atomic': () => ({ ...atomicConf('protodown'), action: 'protodown' }),
  'floor-group-protodown': () => ({ argv: [process.execPath, new URL('../floor-reactor.mjs', import.meta.url).pathname, src, 'group-protodown', String(group)], ready: /ready/, action: 'protodown' }),
  'floor-group': () => ({ argv: [process.execPath, new URL('../floor-reactor.mjs', import.meta.url).pathname, src, 'group', String(group)], ready: /ready/ }),
  'ip-monitor-sh': () => ({ argv: ['sh', shellLoop], wait: 300 }),
  netplug: () => ({ argv: ['netplugd', '-F', '-P', '-c', '/dev/null', '-i', src, '-s', netplugAction], wait: 500 }),
  ifplugd: () => ({ argv: ['ifplugd', '-n', '-s', '-i', src, '-r', ifplugdAction, '-b', '-I', '-f', '-p', '-q', '-u0', '-d0', '-t1'], wait: 1500 }),
  'ifplugd-100ms': () => ({ argv: ['ifplugd', '-n', '-s', '-i', src, '-r', ifplugdAction, '-b', '-I', '-f', '-p', '-q', '-u0', '-d0', '-t0', '-T100000'], wait: 1000 }),
  keepalived: () => {
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(
      conf,
      `global_defs {\n  router_id bench\n  vrrp_garp_master_delay 0\n  vrrp_garp_master_repeat 1\n}\n` +
        `vrrp_instance B {\n  state MASTER\n  interface ${bridge}\n  virtual_router_id 77\n  priority 255\n  advert_int 1\n` +
        `  track_interface {\n    ${src}\n  }\n  virtual_ipaddress {\n    ${vip}/32 dev ${bridge}\n  }\n}\n`,
    );
    const pid = (w) => join(dir, `ka-${w}.pid`);
    return {
      argv: ['keepalived', '-n', '-l', '-D', '-G', '-P', '-f', conf, '-p', pid('main'), '-r', pid('vrrp'), '-c', pid('chk'), '-b', pid('bfd')],
      vipReady: true,
    };
  },
};

function startTool(name) {
  const spec = TOOLS[name]();
  const out = createWriteStream(join(dir, `${name}.log`));
  // The observer runs SCHED_FIFO (so that its stamps are not delayed by load); the tools
  // under test run with the ordinary policy, as they would in production.
  const child = spawn('chrt', ['-o', '0', ...spec.argv], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  const feed = (d) => {
    out.write(d);
    if (text.length < 1 << 20) text += d;
  };
  child.stdout.on('data', feed);
  child.stderr.on('data', feed);
  child.on('error', (e) => log(`${name}: ${e.message}`));
  return { child, spec, out, text: () => text };
}

function stopTool(t) {
  try {
    process.kill(-t.child.pid, 'SIGTERM');
  } catch {}
  return new Promise((r) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-t.child.pid, 'SIGKILL');
      } catch {}
      r();
    }, 3000);
    t.child.on('exit', () => {
      clearTimeout(timer);
      setTimeout(r, 200);
    });
  });
}

const vipPresent = () => listener.vip === true;
listener.watchers.add((e) => {
  if ((e.kind === 'addr+' || e.kind === 'addr-') && e.addr === vip) listener.vip = e.kind === 'addr+';
});

async function waitUntil(fn, timeout, what) {
  const end = nowMs() + timeout;
  while (!fn()) {
    if (nowMs() > end) throw new Error(`timeout waiting for ${what}`);
    await sleep(5);
  }
}

let action = 'admin';
/** A destination is "up" when admin up (admin action) or not protodown (protodown action). */
const isUpFlags = (f) => f !== undefined && f !== -1 && (action === 'protodown' ? (f & PROTO_DOWN) === 0 : (f & IFF_UP) !== 0);
const isUp = (i) => isUpFlags(listener.flags.get(i));
const carrier = () => ((listener.flags.get(srcIdx) ?? 0) & IFF_LOWER_UP) !== 0;

/** Source carrier up, every destination admin up: the state each down trial starts from. */
async function restore() {
  if (!carrier()) await req.setAdmin(peerIdx, true);
  const isAdminUp = (i) => ((listener.flags.get(i) ?? 0) & IFF_UP) !== 0;
  const isPd = (i) => ((listener.flags.get(i) ?? 0) & PROTO_DOWN) !== 0;
  const fix = [...destIdx.filter((i) => !isAdminUp(i)).map((i) => () => req.setAdmin(i, true)), ...destIdx.filter(isPd).map((i) => () => req.setProtoDown(i, false))];
  for (let k = 0; k < fix.length; k += 32) await Promise.all(fix.slice(k, k + 32).map((f) => f()));
  await waitUntil(() => carrier() && destIdx.every((i) => isAdminUp(i) && !isPd(i)), 60000, 'restore');
}

/** One transition: trigger, then wait for the source event and the last destination (or VIP). */
function transition(up, target, timeout) {
  return new Promise((resolve) => {
    let t1, t2;
    const overrunsBefore = listener.overruns;
    let pending = target === 'vip' ? (vipPresent() === up ? 0 : 1) : destIdx.filter((i) => isUp(i) !== up).length;
    const done = (res) => {
      listener.watchers.delete(w);
      clearTimeout(timer);
      resolve({ ...res, overrun: listener.overruns !== overrunsBefore });
    };
    const w = (e) => {
      if (e.kind === 'link' && e.index === srcIdx && t1 === undefined) {
        if (((e.flags & IFF_LOWER_UP) !== 0) === up && e.flags !== -1) t1 = e.t;
      } else if (target === 'dests' && e.kind === 'link' && destSet.has(e.index)) {
        const was = isUpFlags(e.old);
        const now = isUpFlags(e.flags);
        if (was !== now) pending += now === up ? -1 : 1;
        if (pending === 0) t2 = e.t;
      } else if (target === 'vip' && (e.kind === 'addr+' || e.kind === 'addr-') && e.addr === vip) {
        if ((e.kind === 'addr+') === up) {
          pending = 0;
          t2 = e.t;
        }
      }
      if (t1 !== undefined && t2 !== undefined && pending === 0) done({ t0, t1, t2 });
    };
    listener.watchers.add(w);
    const timer = setTimeout(() => done({ t0, t1, t2, timeout: true }), timeout);
    const t0 = nowMs();
    req.setAdmin(peerIdx, up).catch((e) => log(`trigger: ${e.message}`));
  });
}

const results = { n, tools: {} };
for (const tool of cfg.tools) {
  // jitter: the random part of the pause; a poller needs its whole interval, or the trials lock
  // to its phase (each trial starts a fixed time after the previous detection).
  const { name, trials, timeout = 3000, settle = 40, jitter = 40 } = tool;
  log(`${name}: ${trials} trials`);
  await restore();
  const t = startTool(name);
  action = t.spec.action ?? 'admin';
  const target = t.spec.vipReady ? 'vip' : 'dests';
  try {
    if (t.spec.ready) await waitUntil(() => t.spec.ready.test(t.text()), 15000, `${name} ready`);
    if (t.spec.wait) await sleep(t.spec.wait);
    if (target === 'vip') await waitUntil(vipPresent, 15000, 'keepalived MASTER (VIP added)');
    if (t.child.exitCode !== null) throw new Error(`${name} exited: ${t.text().slice(-500)}`);
  } catch (err) {
    log(`${name}: ${err.message}\n${t.text().slice(-1000)}`);
    results.tools[name] = { error: err.message };
    await stopTool(t);
    continue;
  }
  const rows = [];
  const started = nowMs();
  for (let k = -2; k < trials; k++) {
    // random phase, so that pollers are caught anywhere in their interval
    await sleep(settle + Math.random() * jitter);
    const down = await transition(false, target, timeout);
    await sleep(settle + Math.random() * jitter);
    const up = await transition(true, target, tool.upTimeout ?? timeout);
    if (k < 0) continue; // warm-up
    rows.push({ down, up });
    if (down.timeout || up.timeout) {
      log(`${name}: trial ${k} timed out (down ${JSON.stringify(down)}, up ${JSON.stringify(up)})`);
      if (t.child.exitCode !== null) {
        log(`${name} exited: ${t.text().slice(-800)}`);
        break;
      }
      await sleep(500);
      await restore().catch((e) => log(e.message));
      if (target === 'vip') await waitUntil(vipPresent, 10000, 'VIP back').catch(() => {});
    }
  }
  const rss = await import('node:fs').then((fs) => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${t.child.pid}/status`, 'utf8'))[1]);
    } catch {
      return null;
    }
  });
  await stopTool(t);
  results.tools[name] = { trials: rows, seconds: (nowMs() - started) / 1000, rssKiB: rss, target, action };
}
results.listenerOverruns = listener.overruns;
listener.close();
req.close();
printResult(results);
