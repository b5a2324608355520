import { messageOf } from '../base/errors.js';
import { childProcess } from '../base/lazy-builtins.js';
import { NO_EVENTS, type EventSink } from '../core/events.js';
import type { Group, Evaluation } from '../core/group.js';
import type { LinkLookup } from '../core/link-table.js';
import type { HookSpec } from '../core/spec.js';
import { groupDestinations } from '../core/wanted.js';
import type { Logger } from '../logging/logger.js';
import type { Actuator } from './actuator.js';
import { HookProcess, type Transition } from './hook-process.js';

export type { Transition };

export type { HookSpec };

/** Transitions waiting behind a running hook; a flapping group must not queue without end. */
const MAX_PENDING = 8;

interface Job {
  readonly hooks: readonly HookSpec[];
  readonly transition: Transition;
}

/** Per-group lane: one hook at a time, transitions in the order they happened. */
interface Lane {
  readonly pending: Job[];
  running: boolean;
}

/**
 * Runs hooks without a shell, off the caller's path: run() returns at once and
 * nothing a hook does (fail, hang, flood its output) reaches the daemon's logic.
 * Nothing a hook starts in its process group outlives its time limit or the daemon.
 */
export class HookRunner implements Actuator {
  private readonly lanes = new Map<string, Lane>();
  private readonly children = new Set<HookProcess>();
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly links?: LinkLookup,
    private readonly dryRun = false,
    private readonly events: EventSink = NO_EVENTS,
    private readonly groups: () => readonly Group[] = () => [],
  ) {}

  began(): void {
    this.loadSpawn();
  }

  regrouped(): void {
    this.loadSpawn();
  }
  linkChanged(): void {}
  reassert(): void {}
  destinations(): [] {
    return [];
  }

  /** Node's child_process, once a group has hooks: loaded now, not when a failover runs them. */
  private loadSpawn(): void {
    if (this.groups().some((g) => g.spec.hooks.length > 0)) childProcess();
  }

  /** A group's transition runs its hooks (the decision at start runs none). */
  decided(g: Group, ev: Evaluation): void {
    if (g.spec.hooks.length === 0) return;
    const live = this.links === undefined ? [] : [...this.links.all()].map((l) => l.name);
    this.run(g.spec.hooks, {
      group: g.spec.name,
      state: ev.decision,
      reason: ev.why,
      sources: [...g.sourceHealths.keys()],
      destinations: [...groupDestinations(g, live)],
      dryRun: this.dryRun,
    });
  }

  run(hooks: readonly HookSpec[], t: Transition): void {
    if (this.closed || hooks.length === 0) return;
    const lane = this.laneOf(t.group);
    if (lane.pending.length >= MAX_PENDING) {
      const skipped = lane.pending.shift()!;
      this.log.warning(
        `hooks (${t.group}): skipped transition to ${skipped.transition.state} (${skipped.transition.reason}): ${MAX_PENDING} transitions already waiting`,
      );
    }
    lane.pending.push({ hooks, transition: t });
    if (!lane.running) {
      this.drain(t.group, lane).catch((err: unknown) => this.log.error(`hooks (${t.group}): ${messageOf(err)}`));
    }
  }

  /** The daemon is exiting: SIGKILL to every hook's process group, queued transitions forgotten. */
  close(): void {
    this.closed = true;
    this.lanes.clear();
    for (const child of this.children) child.kill();
  }

  private laneOf(group: string): Lane {
    let lane = this.lanes.get(group);
    if (lane === undefined) {
      lane = { pending: [], running: false };
      this.lanes.set(group, lane);
    }
    return lane;
  }

  private async drain(group: string, lane: Lane): Promise<void> {
    lane.running = true;
    try {
      for (let job = lane.pending.shift(); job !== undefined && !this.closed; job = lane.pending.shift()) {
        for (const hook of job.hooks) {
          if (this.closed) break;
          await this.runOne(hook, job.transition);
        }
      }
    } finally {
      lane.running = false;
    }
    if (this.lanes.get(group) === lane && lane.pending.length === 0) this.lanes.delete(group);
  }

  /** The lane waits for the hook; its process group is watched until its time limit. */
  private async runOne(hook: HookSpec, t: Transition): Promise<void> {
    const child = new HookProcess(hook, t, this.log, (r) => this.events.emit({ kind: 'hook', group: t.group, decision: t.state, path: hook.path, ...r }));
    this.children.add(child);
    void child.gone.then(() => this.children.delete(child));
    await child.done;
  }
}
