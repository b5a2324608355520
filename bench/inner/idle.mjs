// Runs INSIDE a namespace: ifdepd (nothing changing) next to a bare Node baseline for
// `seconds`, after a warm-up; CPU time and context switches of every thread from /proc,
// and `perf stat` (context-switches, task-clock) over the same window when perf works.
import { writeFileSync } from 'node:fs';
import { procSample, rssKiB, spawnOther } from '../lib/proc.mjs';
import { printResult } from '../lib/result.mjs';

const cfg = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
writeFileSync(`${cfg.dir}/idle.conf`, `group idle {\n    sources      ${cfg.src}\n    destinations ${cfg.dests.join(' ')}\n}\n`);
const procs = {
  ifdepd: spawnOther([process.execPath, ...cfg.nodeFlags, cfg.cli, '-S', cfg.src, '-D', cfg.dests.join(':')]),
  'ifdepd -f (control socket)': spawnOther([process.execPath, ...cfg.nodeFlags, cfg.cli, '-f', `${cfg.dir}/idle.conf`, '--control-socket', `${cfg.dir}/ctl.sock`]),
  'node setInterval baseline': spawnOther([process.execPath, '-e', 'setInterval(()=>{},1<<30)']),
};
for (const p of Object.values(procs)) {
  p.stdout.resume();
  p.stderr.resume();
}
await sleep(cfg.warmup * 1000);
const perf = {};
const perfProcs = {};
for (const [name, p] of Object.entries(procs)) {
  perfProcs[name] = spawnOther(['perf', 'stat', '-x', ',', '-e', 'context-switches,cpu-migrations,task-clock', '-p', String(p.pid), '--', 'sleep', String(cfg.seconds)]);
  perfProcs[name].stdout.resume();
  let err = '';
  perfProcs[name].stderr.on('data', (d) => (err += d));
  perfProcs[name].on('exit', () => (perf[name] = err));
}
const a = Object.fromEntries(Object.entries(procs).map(([n, p]) => [n, procSample(p.pid)]));
// per-10-s windows: shows whether any activity is periodic or a start-up tail
const windows = Object.fromEntries(Object.keys(procs).map((n) => [n, []]));
let prev = a;
for (let w = 0; w < cfg.seconds / 10; w++) {
  await sleep(10_000);
  const cur = Object.fromEntries(Object.entries(procs).map(([n, p]) => [n, procSample(p.pid)]));
  for (const n of Object.keys(procs)) windows[n].push({ cpuMs: cur[n].cpuMs - prev[n].cpuMs, switches: cur[n].voluntary + cur[n].involuntary - prev[n].voluntary - prev[n].involuntary });
  prev = cur;
}
const b = Object.fromEntries(Object.entries(procs).map(([n, p]) => [n, procSample(p.pid)]));
await sleep(1000);
const out = {};
for (const [name, p] of Object.entries(procs)) {
  const perfLines = (perf[name] ?? '').split('\n').filter((l) => /,/.test(l));
  const perfVal = (ev) => {
    const l = perfLines.find((x) => x.includes(ev));
    return l ? Number(l.split(',')[0]) : null;
  };
  out[name] = {
    seconds: cfg.seconds,
    cpuMs: b[name].cpuMs - a[name].cpuMs,
    utimeMs: b[name].utimeMs - a[name].utimeMs,
    stimeMs: b[name].stimeMs - a[name].stimeMs,
    voluntary: b[name].voluntary - a[name].voluntary,
    involuntary: b[name].involuntary - a[name].involuntary,
    threads: Object.keys(b[name].threads).length,
    perThread: Object.fromEntries(Object.keys(b[name].threads).map((k) => [k, b[name].threads[k] - (a[name].threads[k] ?? 0)])),
    rssKiB: rssKiB(p.pid),
    windows10s: windows[name],
    perf: perfLines.length ? { contextSwitches: perfVal('context-switches'), cpuMigrations: perfVal('cpu-migrations'), taskClockMs: perfVal('task-clock') } : { error: (perf[name] ?? '').slice(0, 300) },
  };
  p.kill('SIGTERM');
}
printResult({ processes: out });
