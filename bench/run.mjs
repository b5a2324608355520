#!/usr/bin/env node
// ifdepd benchmarks: `npm run bench` (everything), `BENCH_QUICK=1 npm run bench` (a quick
// subset, small trial counts), `npm run bench -- --only reaction,scale` (some suites).
// Needs root (network namespaces), iproute2, and for the peers: netplug, ifplugd, keepalived.
// Writes bench/results/<suite>.json, then bench/report.mjs regenerates bench/results/summary.md,
// bench/results/*.svg and the results section of bench/README.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNs, destroyNs, sweepStale } from './lib/ns.mjs';
import { runInner } from './lib/inner.mjs';
import { fillerPairs, reactionTopo } from './lib/topo.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const RESULTS = join(ROOT, 'bench/results');
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].split('=')[1] : (args[i + 1] ?? '');
};
const QUICK = !!process.env.BENCH_QUICK || args.includes('--quick');
const ONLY = (flag('--only') ?? process.env.BENCH_ONLY ?? 'reaction,scale,idle,soak,takeover,reload').split(',');
const OUT = flag('--out') ?? process.env.BENCH_OUT ?? (QUICK ? join(RESULTS, 'quick') : RESULTS);

if (process.getuid?.() !== 0) {
  console.error('bench: needs root (network namespaces, veth pairs, macvlans)');
  process.exit(77);
}
if (!existsSync(CLI)) {
  console.error(`bench: ${CLI} is missing: run \`npm run build\` first`);
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
sweepStale();

const sh = (cmd, a) => {
  const r = spawnSync(cmd, a, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};
const load = () => ({ at: new Date().toISOString(), loadavg: loadavg().map((x) => Math.round(x * 100) / 100), uptime: sh('uptime', []) });

export function machine() {
  const pkg = (p) => sh('dpkg-query', ['-W', '-f=${Version}', p]);
  return {
    nproc: Number(sh('nproc', [])),
    cpu: cpus()[0]?.model,
    kernel: sh('uname', ['-r']),
    node: process.version,
    iproute2: sh('ip', ['-V']),
    peers: { netplug: pkg('netplug'), ifplugd: pkg('ifplugd'), keepalived: pkg('keepalived') },
    ifdepd: {
      version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
      commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
      dirty: (sh('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src']) ?? '').split('\n').filter(Boolean).length,
    },
  };
}

function command(suite) {
  const part = [flag('--n') ? `--n ${flag('--n')}` : '', flag('--tools') ? `--tools ${flag('--tools')}` : '', flag('--trials') ? `--trials ${flag('--trials')}` : '']
    .filter(Boolean)
    .join(' ');
  return `${QUICK ? 'BENCH_QUICK=1 ' : ''}npm run bench -- --only ${suite}${part ? ` ${part}` : ''}`;
}

/** --n / --tools re-run part of the reaction suite: merged into the existing results. */
function mergePartial(doc) {
  const file = join(OUT, 'reaction.json');
  if (!existsSync(file)) return doc;
  const old = JSON.parse(readFileSync(file, 'utf8'));
  for (const run of doc.runs) {
    const into = old.runs.find((r) => r.n === run.n);
    if (!into) {
      old.runs.push(run);
      continue;
    }
    for (const [name, t] of Object.entries(run.tools)) into.tools[name] = { ...t, rerun: doc.command };
  }
  old.runs.sort((a, b) => a.n - b.n);
  old.reruns = [...(old.reruns ?? []), { command: doc.command, tools: flag('--tools') ?? 'all', n: flag('--n') ?? 'all', loadBefore: doc.loadBefore, loadAfter: doc.loadAfter, seconds: doc.seconds }];
  return old;
}

async function suite(name, fn) {
  if (!ONLY.includes(name)) return;
  const started = Date.now();
  const before = load();
  console.error(`\n=== ${name} (${QUICK ? 'quick' : 'full'}) — load ${before.loadavg.join(' ')}`);
  const data = await fn();
  let doc = { suite: name, quick: QUICK, command: command(name), machine: machine(), loadBefore: before, loadAfter: load(), seconds: Math.round((Date.now() - started) / 1000), ...data };
  if (name === 'reaction' && (flag('--n') || flag('--tools'))) doc = mergePartial(doc);
  writeFileSync(join(OUT, `${name}.json`), JSON.stringify(doc, null, 1) + '\n');
  console.error(`=== ${name}: ${doc.seconds} s, written ${join(OUT, `${name}.json`)}`);
}

// ---------------------------------------------------------------- 1. reaction latency
await suite('reaction', async () => {
  const T = (full, quick) => (QUICK ? quick : full);
  // --trials K caps every tool's trial count (a shorter run on a shared machine).
  const cap = flag('--trials') ? Number(flag('--trials')) : Infinity;
  const t = (name, trials, extra = {}) => ({ name, trials: Math.min(trials, cap), ...extra });
  // Admin down of a macvlan costs the kernel ~14 ms (measured: 64 take ~0.9 s even in one
  // `ip link set group` request), so N=64/1024 admin trials are few; protodown is cheap.
  const big = { timeout: 30000, settle: 100 };
  // Protodown of 1,024 members in ONE request queues 1,024 carrier events at once; linkwatch
  // handles 100-200 per run and the rest at 100 a second, so a trial cycle takes ~10 s
  // (the source's own carrier event waits behind them): few trials.
  const plan = QUICK
    ? [
        { n: 1, tools: [t('ifdepd', 10), t('ifdepd-scraped', 10), t('ifdepd-monitored', 10), t('floor-node', 10), t('ip-monitor-sh', 10), t('netplug', 10), t('ifplugd-100ms', 10, { jitter: 100 }), t('keepalived', 3, { upTimeout: 10000 })] },
        { n: 2, tools: [t('ifdepd-atomic', 10), t('floor-group', 10), t('ifdepd-protodown-atomic', 10), t('floor-group-protodown', 10)] },
        { n: 64, tools: [t('ifdepd', 3), t('floor-node', 3), t('floor-group', 3), t('ifdepd-atomic', 3), t('ifdepd-protodown', 10), t('floor-protodown', 10), t('ifdepd-protodown-atomic', 10), t('floor-group-protodown', 10)] },
        { n: 1024, tools: [t('ifdepd-protodown', 3, big), t('floor-protodown', 3, big), t('ifdepd-protodown-atomic', 3, big), t('floor-group-protodown', 3, big)] },
      ]
    : [
        { n: 1, tools: [t('ifdepd', 200), t('ifdepd-scraped', 200), t('ifdepd-monitored', 200), t('floor-node', 200), t('ip-monitor-sh', 200), t('netplug', 200), t('ifplugd-100ms', 100, { jitter: 100 }), t('ifplugd', 30, { jitter: 1000 }), t('keepalived', 20, { upTimeout: 10000 })] },
        { n: 2, tools: [t('ifdepd', 200), t('floor-node', 200), t('ifdepd-atomic', 200), t('floor-group', 200), t('ifdepd-protodown-atomic', 200), t('floor-group-protodown', 200)] },
        { n: 64, tools: [t('ifdepd', 60), t('ifdepd-scraped', 60), t('ifdepd-monitored', 60), t('floor-node', 30), t('floor-group', 20), t('ifdepd-atomic', 20), t('ip-monitor-sh', 20), t('netplug', 20), t('ifplugd-100ms', 20), t('ifdepd-protodown', 200), t('floor-protodown', 200), t('ifdepd-protodown-atomic', 200), t('floor-group-protodown', 200)] },
        { n: 1024, tools: [t('ifdepd', 8, big), t('floor-node', 4, big), t('floor-group', 4, big), t('ifdepd-atomic', 4, big), t('ifdepd-protodown', 200, big), t('floor-protodown', 100, big), t('ifdepd-protodown-atomic', 20, big), t('floor-group-protodown', 20, big)] },
      ];
  void T;
  const only = flag('--n');
  const runs = [];
  for (const step of plan) {
    if (only && !only.split(',').includes(String(step.n))) continue;
    const tools = flag('--tools') ? step.tools.filter((x) => flag('--tools').split(',').includes(x.name)) : step.tools;
    const ns = createNs(`r${step.n}`);
    const dir = mkdtempSync(join(tmpdir(), 'ifdepd-bench-'));
    try {
      const topo = reactionTopo(ns, step.n);
      const loadBefore = load();
      const res = await runInner(ns, 'reaction.mjs', { ...topo, n: step.n, dir, cli: CLI, tools });
      runs.push({ ...res, loadBefore, loadAfter: load() });
    } finally {
      destroyNs(ns);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { runs };
});

await import('./suites.mjs').then((m) => m.run({ suite, QUICK, CLI, flag, load, createNs, destroyNs, runInner, fillerPairs, reactionTopo, OUT })).catch((err) => {
  if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
});

await import('./takeover.mjs').then((m) => m.runTakeover({ suite, QUICK, CLI, createNs, destroyNs, runInner, load }));

await import('./reload.mjs').then((m) => m.runReload({ suite, QUICK, CLI, createNs, destroyNs, runInner, load }));

execFileSync(process.execPath, [join(ROOT, 'bench/report.mjs'), OUT], { stdio: 'inherit' });
