/** What to do with an exception that reached the process; `kind` says how it got there. */
export type Crash = (kind: string, err: unknown) => void;

/**
 * Where an exception that reached the process goes (an uncaught exception, an unhandled
 * rejection). The entry point listens once, for every command; the daemon's process shell
 * diverts them while it runs (a start-up failure, then a fault of the running daemon) and
 * gives them back in reverse as it lets its layers go.
 */
export class CrashRoute {
  private route: Crash;

  constructor(initial: Crash, on: Pick<NodeJS.EventEmitter, 'on'> = process) {
    this.route = initial;
    on.on('uncaughtException', (err) => this.route('uncaught exception', err));
    on.on('unhandledRejection', (err) => this.route('unhandled rejection', err));
  }

  /** `route` takes every crash until the returned function gives them back to the one before. */
  divert(route: Crash): () => void {
    const before = this.route;
    this.route = route;
    return () => {
      this.route = before;
    };
  }
}
