// Process figures from /proc: RSS, CPU time, context switches of every thread.
import { readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';

export function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return null;
  }
}

const TICK = 100; // USER_HZ

/** utime+stime (ms) of the whole process, and voluntary/involuntary switches summed over threads. */
export function procSample(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  let vol = 0;
  let invol = 0;
  const threads = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const v = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(s)[1]);
      const i = Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(s)[1]);
      const name = /Name:\s+(.*)/.exec(s)[1];
      vol += v;
      invol += i;
      threads[`${tid}:${name}`] = v + i;
    } catch {
      /* thread gone */
    }
  }
  return { cpuMs: ((utime + stime) * 1000) / TICK, utimeMs: (utime * 1000) / TICK, stimeMs: (stime * 1000) / TICK, voluntary: vol, involuntary: invol, threads };
}

/** Spawns as an ordinary (SCHED_OTHER) process even from a SCHED_FIFO parent. */
export function spawnOther(argv, opts = {}) {
  return spawn('chrt', ['-o', '0', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** Collects a child's output lines with their arrival time (ms, hrtime). */
export function lineCollector(child, now) {
  const lines = [];
  let buf = '';
  const feed = (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop();
    const t = now();
    for (const text of parts) lines.push({ t, text });
  };
  child.stdout?.setEncoding('utf8').on('data', feed);
  child.stderr?.setEncoding('utf8').on('data', feed);
  return lines;
}
