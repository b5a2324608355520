// The rows of the interference matrix (test/faults/interference.test.ts; the harness is
// test/lab/interference.ts). Each entry builds what it needs beside the measured group
// (which depends on none of it) and says how it is turned on; the harness measures the
// measured group's cuts without it and with it. To add a row, add an entry here:
// `prepare` builds interfaces and files and returns the configuration it adds, `start`
// turns it on once the daemon runs and returns the evidence that it was on.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_GROUPS } from '../../src/config/limits.js';
import { group } from '../lab/grouplab.js';
import { maximalConfig } from '../lab/maxconf.js';
import { addUrgentSource, type Active, type Interference, type Running } from '../lab/interference.js';
import { isAlive, waitFor, type Proc } from '../lab/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const METRICS_PORT = 9732;

/** The last JSON line of counts a fixture printed (http-abuse.mjs, stalled-monitors.mjs). */
function lastCounts(p: Proc): Record<string, number> {
  const line = p.lines().filter((l) => l.startsWith('{')).at(-1);
  return line === undefined ? {} : (JSON.parse(line) as Record<string, number>);
}

/** A group of its own, switched at once both ways. */
const own = (name: string, ...settings: string[]): string => group(name, ...settings, 'down-delay 0', 'up-delay 0');

/** Daemon log lines matching `re` since `mark`. */
const logged = (run: Running, re: RegExp, mark: number): number => run.daemon.since(mark).filter((l) => re.test(l)).length;

const scrapeFlood: Interference = {
  name: 'metrics: scrape flood + slow clients',
  prepare: () => ({
    globals: [`metrics-listen 127.0.0.1:${METRICS_PORT}`],
    // 10 clients scraping back to back and 4 holding half-sent requests (issue 19, defect 3),
    // reconnecting when dropped: 14 of the endpoint's 16 connections, so that the flood is not
    // refused for want of slots and keeps the daemon busy.
    async start(run) {
      const abuse = run.lab.exec([process.execPath, fixture('http-abuse.mjs'), String(METRICS_PORT), '10', '4'], { name: 'http-abuse' });
      await waitFor('the scrapes to flow and the slow clients to hold their connections', () => (lastCounts(abuse).scrapes ?? 0) > 20 && (lastCounts(abuse).slowOpen ?? 0) > 0, {
        timeout: 10_000,
        context: () => abuse.tail(),
      });
      const before = lastCounts(abuse).scrapes ?? 0;
      const refusedBefore = lastCounts(abuse).refused ?? 0;
      return {
        proof() {
          const c = lastCounts(abuse);
          const scrapes = (c.scrapes ?? 0) - before;
          if (scrapes <= 0 || !abuse.alive) throw new Error(`the scrape flood stopped: ${abuse.tail()}`);
          return `${scrapes} scrapes (${(c.refused ?? 0) - refusedBefore} refused) during the cuts, ${c.slowOpen} slow clients holding`;
        },
        stop: () => void abuse.signal('SIGTERM'),
      };
    },
  }),
};

const stalledMonitors: Interference = {
  name: 'control: 15 monitors that never read',
  prepare(lab) {
    // A chatty group whose flaps fill the stalled monitors' sockets before the cuts.
    addUrgentSource(lab, 'c0');
    lab.addDestination('cd0');
    return {
      groups: [own('c', 'sources c0', 'destinations cd0')],
      async start(run) {
        const monitors = run.lab.exec([process.execPath, fixture('stalled-monitors.mjs'), run.lab.sock, '15'], { name: 'stalled-monitors' });
        await waitFor('15 stalled monitors to be connected', () => lastCounts(monitors).connected === 15, { timeout: 10_000, context: () => monitors.tail() });
        run.lab.batch(Array.from({ length: 300 }, () => ['link set c0p down', 'link set c0p up']).flat());
        // Settled: the chatty group back up after its last flap (its status is read through the one free connection).
        const c = await run.lab.waitGroup('c', 'up after the flaps', (g) => g.decision === 'up' && g.transitions >= 100, 20_000);
        await run.lab.waitAdmin(['cd0'], 'up');
        return {
          proof() {
            const m = lastCounts(monitors);
            if (!monitors.alive || (m.connected ?? 0) === 0) throw new Error(`no stalled monitor left: ${monitors.tail()}`);
            return `${m.connected} stalled, ${m.cut} cut; group c made ${c.transitions} transitions to fill them`;
          },
          stop: () => void monitors.signal('SIGTERM'),
        };
      },
    };
  },
};

/** A group `h` with `hook`, whose source is cut once when it starts: the hook runs through the interfered cuts. */
function hookEntry(name: string, body: string, evidence: (run: Running, mark: number) => string, alongside: boolean): Interference {
  return {
    name,
    prepare(lab) {
      addUrgentSource(lab, 'h0');
      lab.addDestination('hd0');
      const pidFile = lab.file('hook.pid');
      const hook = lab.script('hook.sh', `echo $$ > "${pidFile}"\n${body}`);
      return {
        groups: [own('h', 'sources h0', 'destinations hd0', `hook ${hook}`, 'hook-timeout 60s')],
        async start(run) {
          const mark = run.daemon.mark();
          run.lab.cutCarrier('h0');
          const pid = await waitFor('the hook to start', () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) || undefined : undefined), {
            context: () => run.daemon.tail(),
          });
          await run.lab.waitAdmin(['hd0'], 'down');
          run.lab.restoreCarrier('h0');
          await run.lab.waitAdmin(['hd0'], 'up');
          return {
            // The hanging hook: each cut also flips h, whose transitions queue behind it (8 at most).
            ...(alongside ? { alongside: ['h0p'] } : {}),
            proof() {
              if (!isAlive(pid)) throw new Error(`the hook (pid ${pid}) ended before the cuts did\n${run.daemon.tail()}`);
              return evidence(run, mark);
            },
          };
        },
      };
    },
  };
}

const hangingHook = hookEntry(
  'hooks: a hook that hangs',
  'exec sleep 120',
  (run, mark) => `hook still running; ${logged(run, /hooks \(h\): skipped transition/, mark)} queued transitions skipped`,
  true,
);

const floodingHook = hookEntry(
  'hooks: a hook that floods its output',
  // Both streams, as fast as the pipes take it, until its time limit.
  'yes "stdout flood from a hook that never stops" &\nexec yes "stderr flood from a hook that never stops" >&2',
  (run, mark) => `still flooding; ${logged(run, /hook hook\.sh \(h down\): /, mark)} of its lines logged (capped)`,
  false,
);

const routeFlood: Interference = {
  name: 'routes: a route-table flood',
  prepare(lab) {
    // Another group's route source, and thousands of route changes a second beside it.
    addUrgentSource(lab, 'r0');
    lab.ip('addr', 'add', '10.0.0.2/24', 'dev', 'r0');
    lab.ip('route', 'add', '198.51.100.0/24', 'via', '10.0.0.1');
    lab.addDestination('rd0');
    // Small rounds, back to back: each round is 2n changes, and many end within the cuts.
    const n = 250;
    const batch = lab.file('routes.batch');
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`route add 10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 via 10.0.0.1`);
    for (let i = 0; i < n; i++) lines.push(`route del 10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`);
    spawnSync('sh', ['-c', 'cat > "$0"', batch], { input: `${lines.join('\n')}\n` });
    return {
      groups: [own('r', 'route 198.51.100.0/24', 'destinations rd0')],
      async start(run) {
        const before = run.lab.netlinkDrops();
        const flood = run.lab.exec(['sh', '-c', 'i=0; while :; do ip -force -batch "$0" >/dev/null 2>&1; i=$((i+1)); echo "$i"; done', batch], { name: 'route-flood' });
        await waitFor('the first round of the route flood', () => flood.lines().length > 0, { timeout: 10_000, context: () => flood.tail() });
        const rounds = flood.lines().length;
        return {
          proof() {
            const done = flood.lines().length - rounds;
            if (!flood.alive) throw new Error(`the route flood stopped: ${flood.tail()}`);
            return `${done * 2 * n} route changes during the cuts, ${run.lab.netlinkDrops() - before} notifications dropped`;
          },
          stop: () => void flood.signal('SIGKILL'),
        };
      },
    };
  },
};

const atomicFallback: Interference = {
  name: 'atomic group falling back',
  prepare(lab) {
    // 24 VMACs switched by `at` as one kernel group, but v0 is held down by `hv` (its source
    // has no carrier): down wins, so each switch of `at` falls back to 24 writes of its own.
    addUrgentSource(lab, 't0');
    addUrgentSource(lab, 't1', { carrier: false });
    for (let i = 0; i < 24; i++) lab.addDestination(`v${i}`);
    return {
      groups: [
        own('at', 'sources t0', 'destinations "v*"', 'action protodown', 'atomic group 64950'),
        own('hv', 'sources t1', 'destinations v0', 'action protodown'),
      ],
      start(run) {
        const mark = run.daemon.mark();
        return Promise.resolve({
          // `at` switches at the very instant of each cut, and back at each restore.
          alongside: ['t0p'],
          proof() {
            const fell = logged(run, /at: not switched as one \(v0 is held down/, mark);
            if (fell === 0) throw new Error(`the atomic group never fell back\n${run.daemon.tail()}`);
            return `${fell} switches of 24 fell back to one write each`;
          },
        } satisfies Active);
      },
    };
  },
};

/** A group `k` writing its track file on a private tmpfs, made full or read-only once the daemon runs. */
function trackFileEntry(name: string, spoil: (dir: string) => string[]): Interference {
  return {
    name,
    prepare(lab) {
      addUrgentSource(lab, 'k0');
      const dir = lab.file('track');
      mkdirSync(dir, { mode: 0o755 });
      return {
        groups: [own('k', 'sources k0', `action keepalived-track-file ${dir}/k.track`)],
        // A tmpfs of 64 KiB on `dir` in a mount namespace of the daemon's own: the host never sees it.
        prefix: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64k,mode=0755 imx-track "$0" && exec "$@"', dir],
        start(run) {
          const r = spawnSync('nsenter', ['-t', String(run.daemon.pid), '-m', '--', ...spoil(dir)], { encoding: 'utf8' });
          if (r.error) throw r.error;
          const mark = run.daemon.mark();
          return Promise.resolve({
            // `k` changes at each cut, so each cut comes with a write that fails (and is retried).
            alongside: ['k0p'],
            proof() {
              const failed = logged(run, /k: (still )?cannot write .*k\.track/, mark);
              if (failed === 0) throw new Error(`the track file never failed to be written\n${run.daemon.tail()}`);
              return `${failed} failed writes said in the log`;
            },
          } satisfies Active);
        },
      };
    },
  };
}

const trackFileFull = trackFileEntry('track file: full file system', (dir) => ['sh', '-c', 'cat /dev/zero > "$0/fill" 2>/dev/null; exit 0', dir]);
const trackFileReadOnly = trackFileEntry('track file: read-only file system', (dir) => ['mount', '-o', 'remount,ro', dir]);

const pingSources: Interference = {
  name: 'ping sources starting and unreachable',
  prepare(lab) {
    lab.addDestination('pd0');
    lab.addDestination('pd1');
    return {
      async start(run) {
        // Restarted with two more groups: p waits for the first verdict of a probe every
        // 20 s (61 s at most), q's target has no route, so its probe fails and is restarted
        // again and again. Issue 19, defect 1: every group's first decision waited for p.
        const text = run.configText(own('p', 'ping 10.9.5.5 interval 20s', 'destinations pd0'), own('q', 'ping 10.9.5.6 interval 100ms timeout 100ms', 'destinations pd1'));
        const daemon = await run.restart(text);
        const mark = daemon.mark();
        await run.lab.waitGroup('q', 'its probe down', (g) => g.decision === 'down', 10_000);
        return {
          async proof() {
            const p = await run.lab.group('p');
            if (p.waiting === undefined) throw new Error(`p no longer waits for its first verdict: ${JSON.stringify(p)}`);
            return `p waiting (${Math.round(p.waiting.inMs / 1000)} s left, destinations left alone: ${!p.waiting.claims}); q down, its probe restarted ${logged(run, /probe exited/, mark)} times`;
          },
        };
      },
    };
  },
};

const reloadBurst: Interference = {
  name: 'a SIGHUP burst, largest allowed file',
  prepare: () => ({
    async start(run) {
      // The largest file the limits allow, around the running groups; one reload first, so
      // that the cuts meet the burst and not the first swap of 128 groups.
      run.lab.writeConfig(maximalConfig(run.configText(), 1, 3));
      let mark = run.daemon.mark();
      run.daemon.signal('SIGHUP');
      await run.daemon.waitForLog(new RegExp(`reloaded .*: ${MAX_GROUPS} group\\(s\\)`), 20_000, mark);
      mark = run.daemon.mark();
      // A SIGHUP every 10 ms from the first interfered cut to the end of the arm (issue 19, defect 2).
      let timer: NodeJS.Timeout | undefined;
      let sent = 0;
      return {
        beforeCut() {
          timer ??= setInterval(() => {
            run.daemon.signal('SIGHUP');
            sent += 1;
          }, 10);
        },
        proof() {
          const runs = logged(run, /SIGHUP: reloading/, mark);
          if (runs === 0) throw new Error(`no reload ran during the burst\n${run.daemon.tail()}`);
          return `${sent} SIGHUPs, ${runs} reloads of ${MAX_GROUPS} groups`;
        },
        stop() {
          clearInterval(timer);
        },
      };
    },
  }),
};

/** The matrix, in the order of its table. */
export const INTERFERENCES: readonly Interference[] = [
  scrapeFlood,
  stalledMonitors,
  hangingHook,
  floodingHook,
  routeFlood,
  atomicFallback,
  trackFileFull,
  trackFileReadOnly,
  pingSources,
  reloadBurst,
];

/**
 * Not an interference of ifdepd's: the daemon frozen (SIGSTOP) for 150 ms at each cut. The
 * matrix must call it a broken promise, or it could not fail at all.
 */
export const FROZEN: Interference = {
  name: 'control: the daemon frozen 150 ms',
  prepare: () => ({
    start(run) {
      let resumed = 0;
      return Promise.resolve({
        beforeCut() {
          run.daemon.signal('SIGSTOP');
          setTimeout(() => {
            run.daemon.signal('SIGCONT');
            resumed++;
          }, 150);
        },
        proof: () => `frozen ${resumed} times`,
      });
    },
  }),
};
