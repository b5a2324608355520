import type { Scheduler } from '../core/clock.js';
import { NO_EVENTS, type EventSink } from '../core/events.js';
import type { GroupWatch } from '../core/group.js';
import type { TrackFileStatus } from '../core/status.js';
import type { Logger } from '../logging/logger.js';
import type { Actuator } from './actuator.js';
import { TrackFile } from './track-file.js';

/** The keepalived track file of every group whose action is `keepalived-track-file`. */
export class TrackFiles implements Actuator {
  private files = new Map<string, TrackFile>();

  constructor(
    private readonly groups: () => readonly GroupWatch[],
    private readonly log: Logger,
    private readonly scheduler: Scheduler,
    private readonly dryRun: boolean,
    private readonly events: EventSink = NO_EVENTS,
  ) {}

  began(): void {
    this.sync();
  }

  regrouped(): void {
    this.sync();
  }

  decided(g: GroupWatch): void {
    if (g.claims) this.files.get(g.spec.name)?.set(g.decision);
  }

  linkChanged(): void {}

  reassert(): void {
    // A group still waiting for its ping sources' first verdicts leaves its file as it is.
    for (const g of this.groups()) if (g.claims) this.files.get(g.spec.name)?.set(g.decision);
  }

  destinations(): [] {
    return [];
  }

  /** Every track file, for `ifdepd status`: what it should say, what it says, whether writing fails. */
  statuses(groups: readonly GroupWatch[]): TrackFileStatus[] {
    return groups.flatMap((g) => (g.claims ? (this.files.get(g.spec.name)?.status(g.decision) ?? []) : []));
  }

  close(): void {
    for (const file of this.files.values()) file.close();
  }

  /** One file per group with that action; a group that keeps its path keeps its writer. */
  private sync(): void {
    const next = new Map<string, TrackFile>();
    for (const g of this.groups()) {
      const action = g.spec.action;
      if (action.kind !== 'track-file') continue;
      const existing = this.files.get(g.spec.name);
      next.set(
        g.spec.name,
        existing?.path === action.path ? existing : new TrackFile(action.path, g.spec.name, this.log, this.dryRun, this.scheduler, this.events),
      );
    }
    for (const [name, file] of this.files) if (next.get(name) !== file) file.close();
    this.files = next;
  }
}
