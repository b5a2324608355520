import type { Scheduler } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { LinkLookup } from '../core/link-table.js';
import type { Decision, IfIndex } from '../core/types.js';
import type { Wanted } from '../core/wanted.js';
import type { Logger } from '../logging/logger.js';
import type { InterfaceAction } from './interface-action.js';

/** What an Enforcer (enforcer.ts) is built with, and whom it tells of its writes. */
export interface EnforcerDeps {
  readonly action: InterfaceAction;
  readonly links: LinkLookup;
  /** What the groups want of this interface; undefined when no group claims it. */
  readonly wanted: (name: string) => Wanted | undefined;
  /** Reads one interface afresh into the link table; resolves once the table has it. */
  readonly verify: (index: IfIndex) => Promise<void>;
  readonly log: Logger;
  readonly scheduler: Scheduler;
  readonly dryRun: boolean;
  /** Each write, its confirmation and each failure, as `destination` events (`ifdepd monitor`). */
  readonly events?: EventSink;
  /** A write was sent for this interface. */
  readonly onWrite?: (name: string, decision: Decision) => void;
  /** The kernel reports the interface in the wanted state. */
  readonly onConfirmed?: (name: string, decision: Decision) => void;
  /** A completion callback threw: a bug, for the daemon's fault handling. */
  readonly fault?: (where: string, err: unknown) => void;
}
