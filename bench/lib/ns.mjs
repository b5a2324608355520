// Network namespaces of the benchmark: named ifdepd-b-<pid>-<tag>, every process started
// inside them killed and every namespace deleted on exit, on error and on SIGINT/SIGTERM.
// Nothing here touches the host's interfaces: `ip` runs with -n <ns> or inside the namespace.
import { execFileSync, spawn, spawnSync } from 'node:child_process';

const created = new Set();
let hooked = false;

export function nsName(tag) {
  return `ifdepd-b-${process.pid}-${tag}`;
}

export function createNs(tag) {
  const ns = nsName(tag);
  hook();
  execFileSync('ip', ['netns', 'add', ns]);
  created.add(ns);
  ip(ns, ['link', 'set', 'lo', 'up']);
  return ns;
}

export function ip(ns, args, input) {
  return execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', input, maxBuffer: 64 << 20 });
}

/** `ip -n ns -batch -` with these lines. */
export function ipBatch(ns, lines) {
  const r = spawnSync('ip', ['-n', ns, '-force', '-batch', '-'], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`ip -batch failed: ${r.stderr.slice(0, 2000)}`);
}

/** Spawns argv inside the namespace (`ip netns exec` execs: child.pid is the program). */
export function spawnIn(ns, argv, opts = {}) {
  return spawn('ip', ['netns', 'exec', ns, ...argv], opts);
}

export function killNsPids(ns) {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  for (const pid of (r.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export function destroyNs(ns) {
  if (!created.has(ns)) return;
  killNsPids(ns);
  spawnSync('ip', ['netns', 'del', ns]);
  created.delete(ns);
}

export function destroyAll() {
  for (const ns of [...created]) destroyNs(ns);
}

/** Namespaces of earlier benchmark runs whose process is gone (e.g. killed with SIGKILL). */
export function sweepStale() {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^(ifdepd-b-(\d+)-\S+)/.exec(line);
    if (!m) continue;
    const pid = Number(m[2]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (alive) continue;
    created.add(m[1]);
    destroyNs(m[1]);
  }
}

function hook() {
  if (hooked) return;
  hooked = true;
  process.on('exit', destroyAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      destroyAll();
      process.exit(130);
    });
  }
}
