import type { Evaluation } from '../core/group.js';
import type { Group } from '../core/group.js';
import type { DestinationStatus } from '../core/status.js';

/**
 * Something that carries the groups' decisions into the world: interfaces (admin,
 * protodown), keepalived track files, hooks. The daemon tells every actuator the same
 * things in the same order; each acts on the groups whose action is its own.
 */
export interface Actuator {
  /** The first decisions were taken, from the state found at start. */
  began(groups: readonly Group[]): void;
  /** A reload replaced the groups; these names are gone. */
  regrouped(dropped: readonly string[]): void;
  /** A group's decision changed. */
  decided(group: Group, evaluation: Evaluation): void;
  /** The interface of this name appeared, changed or went away. */
  linkChanged(name: string): void;
  /** Bring everything in line with the current decisions again (start, re-read, reload). */
  reassert(): void;
  /** The destinations it keeps, for `ifdepd status`. */
  destinations(): DestinationStatus[];
  /** Stop: pending retries and timers are dropped, nothing is undone. */
  close(): void;
}
