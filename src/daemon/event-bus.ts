import type { DaemonEvent, EventBody, EventSink } from '../core/events.js';
import type { Millis } from '../core/types.js';

export type EventListener = (event: DaemonEvent) => void;

/**
 * The daemon's one fan-out of events: components emit, subscribers (each `ifdepd monitor`,
 * later metrics) are called at once, in the order they subscribed. Emitting never waits:
 * a subscriber must not block (a monitor queues and drops, see control/monitor-queue.ts).
 * A subscriber that throws is dropped and reported; the others and the emitter carry on.
 */
export class EventBus implements EventSink {
  private listeners: readonly EventListener[] = [];

  constructor(
    private readonly clock: { now(): Millis },
    private readonly failed: (err: unknown) => void = () => undefined,
    private readonly wallClock: () => number = Date.now,
  ) {}

  get subscribers(): number {
    return this.listeners.length;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(body: EventBody): void {
    // Most of the time nobody listens: no object is built then.
    if (this.listeners.length === 0) return;
    const event: DaemonEvent = { ...body, at: this.clock.now(), wallMs: this.wallClock() };
    // A copy: a listener may unsubscribe (itself or another) while this runs.
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.listeners = this.listeners.filter((l) => l !== listener);
        this.failed(err);
      }
    }
  }
}
