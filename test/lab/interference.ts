// The interference matrix's harness (test/faults/interference.test.ts, issue 19): ifdepd's
// promise is that a source's failure moves its destinations within milliseconds, whatever
// else the daemon is doing. For one interference, in one lab and with one daemon:
//
//   the measured group `a { sources s0; destinations m0 m1; down-delay 0; up-delay 0 }`,
//   which depends on nothing the interference touches, plus the interference's own
//   groups, interfaces and settings;
//   baseline: CUTS carrier cuts of s0 with the interference off;
//   interfered: CUTS cuts of s0 with it on;
//   verdict: the interfered median no later than the baseline median + SLACK_MS.
//
// Both arms are measured in the same test against the same daemon, so the machine's load
// of the moment is in both. The median of each arm, not the worst cut: this machine has
// 2 CPUs shared with other test runs, and one cut of five caught by a burst of load
// elsewhere must not fail the test; an interference that delays every cut, or most, does.
//
// Each cut is timed by CutObserver (test/fixtures/cut-observer.mjs), an independent
// netlink listener in the namespace at SCHED_FIFO that pulls the trigger itself: from the
// trigger to the kernel's report of the last of m0, m1 admin down. The veth ends get
// distinct ifindexes so that their carrier changes are urgent for linkwatch (netlink-facts.md);
// otherwise a cut may be reported up to a second late, and the baseline jitters by that much.
//
// An interference is one Interference entry: what it adds to the lab and the configuration,
// and how it is turned on (and off). See test/faults/interferences.ts.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { config, group, Lab } from './grouplab.js';
import { Proc } from './proc.js';
import { sleep, waitFor } from './wait.js';

/** Cuts per arm. */
export const CUTS = 5;
/** How much later than the baseline's median the interfered median may be. */
export const SLACK_MS = 50;

const OBSERVER = fileURLToPath(new URL('../fixtures/cut-observer.mjs', import.meta.url));

/** The measured group: it depends on nothing an interference touches. */
export const MEASURED = { name: 'a', source: 's0', peer: 's0p', dests: ['m0', 'm1'] } as const;

let nextIndex = 1000;

/**
 * A source as Lab.addSource makes it (veth `name`, carrier through its peer `<name>p`), with
 * explicit, distinct ifindexes for its two ends: a carrier change is then urgent and reported
 * at once (netlink-facts.md, "The kernel").
 */
export function addUrgentSource(lab: Lab, name: string, { carrier = true } = {}): string {
  const peer = `${name}p`;
  const index = nextIndex;
  nextIndex += 2;
  lab.ip('link', 'add', name, 'index', String(index), 'type', 'veth', 'peer', 'name', peer, 'index', String(index + 1));
  lab.ip('link', 'set', name, 'up');
  if (carrier) lab.ip('link', 'set', peer, 'up');
  return peer;
}

/** One measured transition, ms after the trigger (undefined: not seen before the time-out). */
export interface Cut {
  readonly ms?: number;
  readonly sourceMs?: number;
  readonly dests?: Readonly<Record<string, number>>;
  readonly error?: string;
}

/** The independent observer and trigger (test/fixtures/cut-observer.mjs), running in the lab's namespace. */
export class CutObserver {
  private readonly replies = new Map<number, (c: Cut) => void>();
  private id = 0;

  private constructor(
    private readonly proc: Proc,
    private readonly stdin: NodeJS.WritableStream,
  ) {}

  static async start(lab: Lab): Promise<CutObserver> {
    // SCHED_FIFO where the machine allows it (as bench/run.mjs does): its stamps then do not
    // queue behind the load under test. The daemon itself runs with the ordinary policy.
    const rt = spawnSync('chrt', ['-f', '10', 'true']).status === 0 ? ['chrt', '-f', '10'] : [];
    const child = spawn('ip', ['netns', 'exec', lab.ns, ...rt, process.execPath, OBSERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    lab.track(child);
    const obs = new CutObserver(new Proc(child, { name: 'cut-observer' }), child.stdin);
    createInterface({ input: child.stdout }).on('line', (line) => obs.onLine(line));
    await waitFor('the cut observer to subscribe', () => obs.proc.entries.some((e) => e.text.includes('"ready"')) || !obs.proc.alive, {
      timeout: 10_000,
    });
    if (!obs.proc.alive) throw new Error(`the cut observer exited:\n${obs.proc.tail()}`);
    return obs;
  }

  private onLine(line: string): void {
    let msg: Cut & { id?: number };
    try {
      msg = JSON.parse(line) as Cut & { id?: number };
    } catch {
      return;
    }
    if (msg.id === undefined) return;
    this.replies.get(msg.id)?.(msg);
    this.replies.delete(msg.id);
  }

  /** Sets the `alongside` peers, then `trigger`, admin `up`; resolves once every one of `dests` is reported admin `up`. */
  transition(trigger: string, up: boolean, source: string, dests: readonly string[], alongside: readonly string[] = [], timeout = 5000): Promise<Cut> {
    const id = ++this.id;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.stdin.write(`${JSON.stringify({ id, trigger, up, source, dests, alongside, timeout })}\n`);
    });
  }

  tail(): string {
    return this.proc.tail();
  }
}

/** The lab once the daemon runs: what an interference may use to turn itself on. */
export interface Running {
  readonly lab: Lab;
  /** The daemon now: restart() replaces it. */
  readonly daemon: Proc;
  readonly observer: CutObserver;
  /** The whole configuration: the globals and groups of the entry, the measured group, and `more` groups. */
  configText(...more: string[]): string;
  /**
   * Stops the daemon and starts it again on `text` (with the entry's prefix), resolving once
   * it has taken its first decisions: for an interference that happens at start. A reload
   * needs nothing of this: write the file with lab.writeConfig() and send SIGHUP or `ctl reload`.
   */
  restart(text: string): Promise<Proc>;
}

/** An interference that is on. */
export interface Active {
  /** Peers set down right before each interfered cut (and up before each restore): another group's transition at the same instant. */
  readonly alongside?: readonly string[];
  /** Called right before each interfered cut (after the pause), e.g. to start a burst. */
  beforeCut?(): void | Promise<void>;
  /** Evidence that it was in effect through the interfered cuts (for the table); throws if it was not. */
  proof(): string | Promise<string>;
  /** Turns it off (what the lab's shutdown would kill anyway may be left to it). */
  stop?(): void | Promise<void>;
}

/** What an entry adds to the lab before the daemon starts. */
export interface Prepared {
  /** Top-level configuration lines (before the groups). */
  readonly globals?: readonly string[];
  /** Its own groups; none of them may claim s0, m0 or m1. */
  readonly groups?: readonly string[];
  /** Wraps the daemon's command (grouplab's StartOptions.prefix). */
  readonly prefix?: readonly string[];
  /** Turns the interference on; resolves once it is in effect. */
  start(run: Running): Promise<Active>;
}

/** One row of the matrix. */
export interface Interference {
  /** Its row in the table. */
  readonly name: string;
  /** Builds its interfaces and files in `lab` (the measured group's exist already). */
  prepare(lab: Lab): Prepared | Promise<Prepared>;
}

export interface Outcome {
  readonly name: string;
  readonly baseline: readonly number[];
  readonly interfered: readonly number[];
  readonly proof: string;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Whether the interfered cuts kept the promise: their median within SLACK_MS of the baseline's. */
export function kept(o: Outcome): boolean {
  return median(o.interfered) <= median(o.baseline) + SLACK_MS;
}

/** One line of the table, and the failure message. */
export function row(o: Outcome): string {
  const f = (xs: readonly number[]): string => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
  return `${o.name.padEnd(38)} ${f(o.baseline).padEnd(22)} ${f(o.interfered).padEnd(22)} ${(median(o.interfered) - median(o.baseline)).toFixed(1).padStart(7)}  ${o.proof}`;
}

export const HEADER = `${'interference'.padEnd(38)} ${'baseline ms med (min-max)'.padEnd(22)} ${'interfered ms med (min-max)'.padEnd(22)} ${'Δ med'.padStart(7)}  evidence`;

/**
 * Measures one interference: a fresh lab (shut down by the caller through `lab`), the
 * daemon, a warm-up cut, CUTS baseline cuts, the interference on, CUTS interfered cuts.
 */
export async function measure(lab: Lab, entry: Interference): Promise<Outcome> {
  addUrgentSource(lab, MEASURED.source);
  for (const d of MEASURED.dests) lab.addDestination(d);
  const prepared = await entry.prepare(lab);
  const measuredGroup = group(MEASURED.name, `sources ${MEASURED.source}`, `destinations ${MEASURED.dests.join(' ')}`, 'down-delay 0', 'up-delay 0');
  const configText = (...more: string[]): string =>
    `${(prepared.globals ?? []).map((l) => `${l}\n`).join('')}${config(lab, measuredGroup, ...(prepared.groups ?? []), ...more)}`;
  const startOptions = prepared.prefix ? { prefix: prepared.prefix } : {};
  await lab.start(configText(), startOptions);
  await lab.waitAdmin(MEASURED.dests, 'up');
  const observer = await CutObserver.start(lab);
  const run: Running = {
    lab,
    get daemon(): Proc {
      return lab.daemon!;
    },
    observer,
    configText,
    async restart(text) {
      await lab.daemon?.stop();
      const p = await lab.start(text, startOptions);
      await lab.waitAdmin(MEASURED.dests, 'up');
      return p;
    },
  };

  const context = (): string => `--- daemon ---\n${run.daemon.tail(60)}\n--- observer ---\n${observer.tail()}`;
  const cycle = async (alongside: readonly string[], before?: () => void | Promise<void>): Promise<number> => {
    // A pause of 30-80 ms before each cut, random so that the cut falls at any phase of a
    // periodic interference (a scrape, a retry); not a wait for a state: every state is awaited.
    await sleep(30 + Math.random() * 50);
    await before?.();
    const down = await observer.transition(MEASURED.peer, false, MEASURED.source, MEASURED.dests, alongside);
    // Restored before the verdict: a lost cut must not leave the next arm a lab in the wrong state.
    const up = await observer.transition(MEASURED.peer, true, MEASURED.source, MEASURED.dests, alongside, 10_000);
    if (down.ms === undefined) throw new Error(`${entry.name}: the destinations did not go down: ${JSON.stringify(down)}\n${context()}`);
    if (up.ms === undefined) throw new Error(`${entry.name}: the destinations did not come back up: ${JSON.stringify(up)}\n${context()}`);
    return down.ms;
  };

  await cycle([]); // warm-up: the first cut of a fresh daemon pays for compiling its paths
  const baseline: number[] = [];
  for (let k = 0; k < CUTS; k++) baseline.push(await cycle([]));
  const active = await prepared.start(run);
  const interfered: number[] = [];
  try {
    for (let k = 0; k < CUTS; k++) interfered.push(await cycle(active.alongside ?? [], active.beforeCut?.bind(active)));
    const proof = await active.proof();
    if (!run.daemon.alive) throw new Error(`${entry.name}: the daemon died\n${context()}`);
    return { name: entry.name, baseline, interfered, proof };
  } finally {
    await active.stop?.();
  }
}
