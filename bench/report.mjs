#!/usr/bin/env node
// Turns bench/results/*.json (or the directory given) into summary.md, reaction-*.svg and,
// for the main results directory, the generated section of bench/README.md.
//   node bench/report.mjs [results-dir]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/stats.mjs';
import { boxPlot } from './lib/svg.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const dir = resolve(process.argv[2] ?? join(BENCH, 'results'));
const main = dir === resolve(join(BENCH, 'results'));
const read = (n) => (existsSync(join(dir, `${n}.json`)) ? JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) : undefined);
const f = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(d));
const ms = (v) => (v === null || v === undefined ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${f(v)} ms`);
const md = [];
const loadLine = (d) => `load average (1/5/15 min) before ${d.loadBefore.loadavg.join(' / ')}, after ${d.loadAfter.loadavg.join(' / ')}`;

const anyDoc = ['reaction', 'scale', 'idle', 'soak', 'takeover', 'reload'].map(read).find(Boolean);
if (!anyDoc) {
  console.error(`report: no results in ${dir}`);
  process.exit(1);
}
const m = anyDoc.machine;
md.push(`Machine: ${m.nproc} CPUs (${m.cpu}), Linux ${m.kernel}, Node ${m.node}, ${m.iproute2}; netplug ${m.peers.netplug}, ifplugd ${m.peers.ifplugd}, keepalived ${m.peers.keepalived}; ifdepd ${m.ifdepd.version} at ${m.ifdepd.commit}${m.ifdepd.dirty ? ` + ${m.ifdepd.dirty} uncommitted file(s) in src/` : ''}.`);
md.push('The machine was shared with other test runs: each suite states the load average around it.');
md.push('');

// ------------------------------------------------------------------ reaction
const reaction = read('reaction');
const headline = {};
if (reaction) {
  md.push(`### 1. Reaction latency`);
  md.push('');
  md.push(`Command: \`${reaction.command}\` (${reaction.seconds} s; ${loadLine(reaction)}).`);
  md.push('');
  for (const r of reaction.reruns ?? []) md.push(`Re-run afterwards and merged (rows marked ↻): \`${r.command}\` (${r.seconds} s; load average before ${r.loadBefore.loadavg.join(' / ')}, after ${r.loadAfter.loadavg.join(' / ')}).`);
  md.push('');
  md.push('reaction = listener sees the source\'s carrier change → listener sees the LAST destination admin down/up (keepalived: the VIP deleted/added). notify = trigger sent → listener sees the source\'s carrier change (the kernel + observer floor). Timeouts and trials where the listener overran are excluded and counted.');
  md.push('');
  md.push('| N | tool | action | dir | trials | median | p90 | p99 | max | notify median | excluded |');
  md.push('|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
  const groups = { down: [], up: [] };
  for (const run of reaction.runs) {
    const g = { down: { label: `N=${run.n}`, boxes: [] }, up: { label: `N=${run.n}`, boxes: [] } };
    for (const [name, t] of Object.entries(run.tools)) {
      if (t.error) {
        md.push(`| ${run.n} | ${name} | | | failed: ${t.error} | | | | | | |`);
        continue;
      }
      for (const dirn of ['down', 'up']) {
        const ok = t.trials.map((x) => x[dirn]).filter((x) => !x.timeout && !x.overrun && x.t1 !== undefined && x.t2 !== undefined);
        const s = summarize(ok.map((x) => Math.max(0, x.t2 - x.t1)));
        const notify = summarize(ok.map((x) => x.t1 - x.t0));
        const excluded = t.trials.length - ok.length;
        headline[`${name}|${run.n}|${dirn}`] = s;
        const what = t.target === 'vip' ? 'VIP' : t.action ?? 'admin';
        md.push(`| ${run.n} | ${name}${t.rerun ? ' ↻' : ''} | ${what} | ${dirn} | ${s.n} | ${ms(s.median)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(notify.median)} | ${excluded} |`);
        if (s.n > 0) g[dirn].boxes.push({ name, s: { ...s, min: Math.max(s.min, 0.01) } });
      }
    }
    for (const dirn of ['down', 'up']) if (g[dirn].boxes.length) groups[dirn].push(g[dirn]);
  }
  md.push('');
  // ratios
  md.push('Ratios (medians; p99 in brackets). ifdepd/floor: how much slower ifdepd is than the do-nothing Node reactor with the same package and the same action; peer/ifdepd: how many times slower the peer is than ifdepd (below 1: faster).');
  md.push('');
  md.push('| N | dir | comparison | median ratio | (p99 ratio) |');
  md.push('|---:|---|---|---:|---:|');
  for (const run of reaction.runs) {
    for (const dirn of ['down', 'up']) {
      const pairs = [
        ['ifdepd', 'floor-node', 'ifdepd / floor-node'],
        ['ifdepd', 'floor-group', 'ifdepd / floor-group'],
        ['ifdepd-protodown', 'floor-protodown', 'ifdepd-protodown / floor-protodown'],
        ['ifdepd-atomic', 'floor-group', 'ifdepd-atomic / floor-group'],
        ['ifdepd-protodown-atomic', 'floor-group-protodown', 'ifdepd-protodown-atomic / floor-group-protodown'],
      ];
      for (const peer of ['ip-monitor-sh', 'netplug', 'ifplugd-100ms', 'ifplugd', 'keepalived']) pairs.push([peer, 'ifdepd', `${peer} / ifdepd`]);
      for (const [a, b, label] of pairs) {
        const A = headline[`${a}|${run.n}|${dirn}`];
        const B = headline[`${b}|${run.n}|${dirn}`];
        if (!A?.n || !B?.n) continue;
        md.push(`| ${run.n} | ${dirn} | ${label} | ${f(A.median / B.median)} | (${f(A.p99 / B.p99)}) |`);
      }
    }
  }
  md.push('');
  for (const dirn of ['down', 'up']) {
    if (!groups[dirn].length) continue;
    const svg = boxPlot({
      title: `Reaction latency, source carrier ${dirn === 'down' ? 'lost' : 'back'} → last destination ${dirn}`,
      subtitle: `log scale; ${m.nproc} CPUs, Linux ${m.kernel}, Node ${m.node}; ${loadLine(reaction)}`,
      groups: groups[dirn],
    });
    writeFileSync(join(dir, `reaction-${dirn}.svg`), svg);
    md.push(`![reaction ${dirn}](${main ? 'results/' : ''}reaction-${dirn}.svg)`);
    md.push('');
  }
}

// ------------------------------------------------------------------ scale
/** The interfaces in the namespace, and those the daemon read when fewer (by name). */
const interfacesOf = (r) => {
  const first = r.runs[0];
  if (first?.hostLinks === undefined || first.hostLinks === first.linkCount) return first?.linkCount ?? r.k;
  return `${first.hostLinks} (${first.linkCount} read)`;
};
/** `node -e 0` measured before each start (issue 21, target 2), and spawn -> down against it. */
const floorOf = (r) => {
  if (r.runs[0]?.nodeFloorMs === undefined) return '';
  const med = (k) => summarize(r.runs.map((x) => x[k])).median;
  return `${ms(med('nodeFloorMs'))}, ${f(med('spawnToDestDownMs') / med('nodeFloorMs'), 2)}x`;
};
const scale = read('scale');
if (scale) {
  md.push('### 2. Scale');
  md.push('');
  md.push(`Command: \`${scale.command}\` (${scale.seconds} s; ${loadLine(scale)}). Medians over the starts (SIGHUP: over all signals); RSS as VmRSS.`);
  md.push('');
  md.push('| interfaces | starts | spawn → destination down (listener) | `node -e 0` spawn → exit, ratio | spawn → first log line | first log line → `read N links (start)` | SIGHUP → `read N links (SIGHUP)` median (max) | RSS after start | RSS after SIGHUPs |');
  md.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of scale.runs) {
    const med = (k) => summarize(r.runs.map((x) => x[k])).median;
    const hup = summarize(r.runs.flatMap((x) => x.hupMs));
    md.push(`| ${interfacesOf(r)} | ${r.runs.length} | ${ms(med('spawnToDestDownMs'))} | ${floorOf(r)} | ${ms(med('spawnToFirstLogMs'))} | ${ms(med('firstLogToReadLinksMs'))} | ${ms(hup.median)} (${ms(hup.max)}) | ${f(med('rssStartKiB') / 1024, 1)} MiB | ${f(med('rssAfterHupsKiB') / 1024, 1)} MiB |`);
  }
  md.push('');
}

// ------------------------------------------------------------------ idle
const idle = read('idle');
if (idle) {
  md.push('### 3. Idle cost');
  md.push('');
  md.push(`Command: \`${idle.command}\` (${loadLine(idle)}). Nothing changes in the namespace; window of ${Object.values(idle.processes)[0].seconds} s after a warm-up. Context switches summed over all threads of the process (/proc/PID/task/*/status), and perf stat over the same window.`);
  md.push('');
  md.push('| process | threads | CPU (utime+stime) | voluntary + involuntary switches | perf context-switches | perf task-clock | per-10-s windows (CPU ms / switches) | RSS |');
  md.push('|---|---:|---:|---:|---:|---:|---|---:|');
  for (const [name, p] of Object.entries(idle.processes)) {
    const w = (p.windows10s ?? []).map((x) => `${x.cpuMs}/${x.switches}`).join(', ');
    md.push(`| ${name} | ${p.threads} | ${p.cpuMs} ms | ${p.voluntary} + ${p.involuntary} | ${p.perf?.contextSwitches ?? '–'} | ${p.perf?.taskClockMs !== undefined && p.perf?.taskClockMs !== null ? `${f(p.perf.taskClockMs)} ms` : '–'} | ${w} | ${f(p.rssKiB / 1024, 1)} MiB |`);
  }
  md.push('');
}

// ------------------------------------------------------------------ soak
const soak = read('soak');
if (soak) {
  md.push('### 4. Soak');
  md.push('');
  md.push(`Command: \`${soak.command}\` (${soak.seconds} s; ${loadLine(soak)}).`);
  md.push('');
  const b = soak.batches;
  md.push(`- ${soak.flaps.toLocaleString('en')} flaps of the source (peer down + up, ${soak.batch.toLocaleString('en')} per \`ip -batch\`), in ${f(soak.flapSeconds, 1)} s including the settling after each batch: ${f(soak.flapsPerSecond, 0)} flaps/s.`);
  md.push(`- RSS: ${f(soak.rssStartKiB / 1024, 1)} MiB before, ${f(soak.rssEndKiB / 1024, 1)} MiB after; per batch: ${b.map((x) => f(x.rssKiB / 1024, 1)).join(', ')} MiB.`);
  md.push(`- CPU used by the daemon: ${f(soak.cpuMs / 1000, 1)} s; \`ip -batch\` time per batch ${b.map((x) => x.ipMs).join(', ')} ms; destination back up ${b.map((x) => x.settleMs).join(', ')} ms after each batch.`);
  md.push(`- Final state: destination down after a last source-down: ${soak.final.destDownAfterSourceDown}; up again after source-up: ${soak.final.destUpAfterSourceUp}; daemon alive: ${soak.final.daemonAlive}.`);
  md.push(`- The daemon logged ${soak.log.decisionsDown} down and ${soak.log.decisionsUp} up decisions (the rest coalesced), ${soak.log.overrunResyncs} receive-queue overruns (each followed by a re-read), ${soak.log.warnings} warnings, ${soak.log.errors} errors.`);
  md.push('');
}

// ------------------------------------------------------------------ takeover
const takeover = read('takeover');
if (takeover) {
  md.push('### 5. Takeover with keepalived, per action');
  md.push('');
  md.push(`Command: \`${takeover.command}\` (${takeover.seconds} s; ${loadLine(takeover)}). contrib/keepalived/vmac-down's pair (vmac_xmit_base), advert_int ${takeover.advertInt} s; ifdepd on fw1 only, \`--down-delay 0 --up-delay 0\`. takeover = fw1's uplink cut (trigger sent) → the VIP added on fw2; back = uplink restored → the VIP gone from fw2 (fw1's master-down interval: preemption). Timeouts excluded and counted.`);
  md.push('');
  md.push('| action | trials | takeover median | p90 | max | back median | timeouts |');
  md.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of takeover.runs) {
    const t = summarize(r.trials.map((x) => x.takeover));
    const b = summarize(r.trials.map((x) => x.back));
    const timeouts = r.trials.filter((x) => x.takeover === null || x.back === null).length;
    md.push(`| ${r.action} | ${r.trials.length} | ${ms(t.median)} | ${ms(t.p90)} | ${ms(t.max)} | ${ms(b.median)} | ${timeouts} |`);
  }
  md.push('');
}

const text = md.join('\n') + '\n';
writeFileSync(join(dir, 'summary.md'), `# ifdepd benchmark results\n\n${text}`);
if (main) {
  const readme = join(BENCH, 'README.md');
  const BEGIN = '<!-- results:begin (generated by bench/report.mjs) -->';
  const END = '<!-- results:end -->';
  const cur = existsSync(readme) ? readFileSync(readme, 'utf8') : `# ifdepd benchmarks\n\n## Results\n\n${BEGIN}\n${END}\n`;
  const a = cur.indexOf(BEGIN);
  const z = cur.indexOf(END);
  if (a >= 0 && z > a) writeFileSync(readme, cur.slice(0, a + BEGIN.length) + '\n' + text + cur.slice(z));
}
console.error(`report: ${join(dir, 'summary.md')}${main ? ' and bench/README.md' : ''}`);
