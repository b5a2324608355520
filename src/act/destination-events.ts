import type { EventSink } from '../core/events.js';
import type { Scheduler } from '../core/clock.js';
import type { Decision, Millis } from '../core/types.js';

/**
 * The `destination` events of one interface action (admin or protodown): each write sent,
 * the kernel's confirmation of it with the time it took, each failure.
 */
export class DestinationEvents {
  /** Writes sent and not yet confirmed: when, and what they set. */
  private readonly writes = new Map<string, { readonly at: Millis; readonly wanted: Decision }>();

  constructor(
    private readonly action: 'admin' | 'protodown',
    private readonly events: EventSink,
    private readonly clock: Pick<Scheduler, 'now'>,
  ) {}

  wrote(name: string, wanted: Decision): void {
    this.writes.set(name, { at: this.clock.now(), wanted });
    this.events.emit({ kind: 'destination', name, action: this.action, wanted, outcome: 'write' });
  }

  /** The kernel reports it as wanted: said only for a write of ours, once. */
  confirmed(name: string, wanted: Decision): void {
    const write = this.writes.get(name);
    if (write === undefined || write.wanted !== wanted) return;
    this.writes.delete(name);
    const latencyMs = Math.round((this.clock.now() - write.at) * 1000) / 1000;
    this.events.emit({ kind: 'destination', name, action: this.action, wanted, outcome: 'confirmed', latencyMs });
  }

  failed(name: string, wanted: Decision, error: string): void {
    this.writes.delete(name);
    this.events.emit({ kind: 'destination', name, action: this.action, wanted, outcome: 'failed', error });
  }
}
