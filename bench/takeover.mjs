// Suite 5 (takeover): contrib/keepalived/vmac-down's HA pair, the time from fw1's uplink cut to the
// VIP on fw2, once per ifdepd action (admin, protodown). Three namespaces: lan (a bridge),
// fw1 and fw2 (keepalived with the example's keepalived.conf, advert_int changed); ifdepd
// runs on fw1 only (`-S up0 -D vrrp.51 --action A --down-delay 0 --up-delay 0`). fw1's
// up0 is a veth whose far end lives in fw2's namespace, where the driver (inner/takeover.mjs)
// cuts it and watches the VIP arrive.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ip, spawnIn } from './lib/ns.mjs';

const CONTRIB = fileURLToPath(new URL('../contrib/keepalived/vmac-down/', import.meta.url));
const VIP = '192.0.2.1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The example's keepalived.conf with advert_int replaced (the one edit must hit exactly once). */
function keepalivedConf(node, advertInt) {
  const text = readFileSync(join(CONTRIB, node, 'keepalived.conf'), 'utf8');
  const re = /^(\s*advert_int\s+)\S+/m;
  if ((text.match(new RegExp(re.source, 'gm')) ?? []).length !== 1) throw new Error(`${node}/keepalived.conf: expected one advert_int`);
  return text.replace(re, `$1${advertInt}`);
}

/** Starts argv in ns; resolves once its output matches `ready` (or rejects with the output). */
function start(ns, argv, ready, logFile) {
  const child = spawnIn(ns, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const feed = (d) => {
    text += d;
    if (text.length > 1 << 20) text = text.slice(-(1 << 19));
  };
  child.stdout.setEncoding('utf8').on('data', feed);
  child.stderr.setEncoding('utf8').on('data', feed);
  child.on('exit', () => writeFileSync(logFile, text));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv[0]} not ready in ${ns}: ${text.slice(-800)}`)), 20_000);
    const check = setInterval(() => {
      if (!ready.test(text)) return;
      clearInterval(check);
      clearTimeout(timer);
      resolve({ child, text: () => text });
    }, 20);
  });
}

function stop(p) {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
    p.child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.child.kill('SIGTERM');
  });
}

export async function runTakeover({ suite, QUICK, CLI, createNs, destroyNs, runInner, load }) {
  await suite('takeover', async () => {
    const advertInt = Number(process.env.BENCH_ADVERT_INT ?? (QUICK ? '0.1' : '1'));
    const trials = QUICK ? 5 : 20;
    const ns = { lan: createNs('tk-lan'), fw1: createNs('tk-fw1'), fw2: createNs('tk-fw2') };
    const dir = mkdtempSync(join(tmpdir(), 'ifdepd-bench-'));
    const procs = [];
    try {
      ip(ns.lan, ['link', 'add', 'br0', 'type', 'bridge']);
      ip(ns.lan, ['link', 'set', 'br0', 'up']);
      ['fw1', 'fw2'].forEach((node, i) => {
        ip(ns[node], ['link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', node, 'netns', ns.lan]);
        ip(ns.lan, ['link', 'set', node, 'master', 'br0', 'up']);
        ip(ns[node], ['addr', 'add', `192.0.2.${i + 2}/24`, 'dev', 'lan0']);
        ip(ns[node], ['link', 'set', 'lan0', 'up']);
      });
      // fw1's uplink: its far end in fw2's namespace, where the driver cuts it. fw2's stays up.
      // Distinct ifindexes: with equal ones the kernel treats the carrier change as non-urgent
      // and reports it up to 1 s late (as for a physical NIC), which would swamp the figure.
      ip(ns.fw1, ['link', 'add', 'up0', 'index', '20', 'type', 'veth', 'peer', 'name', 'up0w', 'index', '21', 'netns', ns.fw2]);
      ip(ns.fw1, ['link', 'set', 'up0', 'up']);
      ip(ns.fw2, ['link', 'set', 'up0w', 'up']);
      for (const node of ['fw1', 'fw2']) {
        const conf = join(dir, `${node}.conf`);
        writeFileSync(conf, keepalivedConf(node, advertInt));
        const pid = (w) => join(dir, `${node}-${w}.pid`);
        const argv = ['keepalived', '-n', '-l', '-D', '-G', '-P', '-f', conf, '-p', pid('main'), '-r', pid('vrrp'), '-c', pid('chk'), '-b', pid('bfd')];
        procs.push(await start(ns[node], argv, /Entering (BACKUP|MASTER|FAULT) STATE/, join(dir, `keepalived-${node}.log`)));
      }
      const runs = [];
      for (const action of ['admin', 'protodown']) {
        const argv = [process.execPath, CLI, '-S', 'up0', '-D', 'vrrp.51', '--action', action, '--down-delay', '0', '--up-delay', '0'];
        const d = await start(ns.fw1, argv, /at start/, join(dir, `ifdepd-${action}.log`));
        const loadBefore = load();
        try {
          const res = await runInner(ns.fw2, 'takeover.mjs', { peer: 'up0w', vip: VIP, trials, advertInt, action });
          runs.push({ ...res, command: argv.slice(2).join(' '), loadBefore, loadAfter: load() });
        } finally {
          await stop(d);
        }
        await sleep(500);
      }
      return { advertInt, keepalived: 'contrib/keepalived/vmac-down/fw1,fw2 keepalived.conf (vmac_xmit_base), advert_int replaced', runs };
    } finally {
      for (const p of procs) await stop(p);
      for (const n of Object.values(ns)) destroyNs(n);
      // BENCH_KEEP=1 keeps the keepalived and ifdepd logs.
      if (process.env.BENCH_KEEP) console.error(`takeover: logs in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  });
}
