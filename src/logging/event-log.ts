import type { EventSink } from '../core/events.js';
import type { LogSink, Severity } from './logger.js';

/** Every line the log shows also goes to the event bus, as a `log` event: the text stream of `ifdepd monitor`. */
export class EventLogSink implements LogSink {
  constructor(private readonly events: EventSink) {}

  write(severity: Severity, text: string): void {
    this.events.emit({ kind: 'log', severity, text });
  }
}
