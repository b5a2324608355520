import type { Logger } from '../logging/logger.js';
import { HoldStore, type Holds } from './hold-store.js';

/**
 * Operator holds across restarts, as the daemon sees them: what to restore at start (with
 * a line for each hold restored or dropped) and what to say when storing one failed.
 * Without a control socket there are no holds, and nothing is stored.
 */
export class KeptHolds {
  private readonly store?: HoldStore;

  constructor(
    path: string | undefined,
    private readonly log: Logger,
  ) {
    if (path !== undefined) this.store = new HoldStore(path);
  }

  /** The holds from before a restart; those of groups not in `known` are dropped, and said so. */
  restore(known: ReadonlySet<string>): Holds {
    const store = this.store;
    if (store === undefined) return new Map();
    const loaded = store.load();
    if ('problem' in loaded) {
      this.log.warning(`hold file ${store.path}: ${loaded.problem}; starting without operator holds`);
      return new Map();
    }
    for (const [name, state] of loaded.holds) {
      if (known.has(name)) this.log.notice(`${name}: hold ${state} restored from ${store.path}; 'ifdepd release ${name}' ends it`);
      else this.log.notice(`${name}: stored hold ${state} dropped: no such group in the configuration`);
    }
    return loaded.holds;
  }

  /** Stores the holds in force; '' when done, else what the operator's answer must add. */
  save(holds: Holds): string {
    const problem = this.store?.save(holds);
    if (problem === undefined) return '';
    this.log.warning(`hold file ${this.store!.path}: not written, holds will not survive a restart: ${problem}`);
    return `; not stored, a restart would forget it: ${problem}`;
  }
}
