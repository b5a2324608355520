/** How the process ends: with an exit code (a signal, the fault budget), or with what failed. */
export type Ending = { readonly code: number } | { readonly error: unknown };

/** One layer taken, and how to let it go. */
interface Held {
  readonly layer: string;
  release(): void | Promise<void>;
}

/** Thrown into the start-up when the process is asked to end while it starts. */
class StartStopped extends Error {
  constructor() {
    super('asked to end during start-up');
  }
}

/**
 * The daemon's process as a stack of layers (the log, the pidfile, the daemon, the control
 * socket...): taken in order, each once the ones before it hold, and let go in reverse, in
 * one place (run()), however the process ends: a layer that cannot be taken (only those
 * before it are let go), a signal or the fault budget (stop()), a crash (fail()). A stop
 * asked for during start-up ends it after the layer being taken, which is not waited for:
 * what it brings later is let go as it arrives.
 */
export class ProcessShell {
  private readonly held: Held[] = [];
  private ending: Ending | undefined;
  private settle: (ending: Ending) => void = () => undefined;
  private readonly ended = new Promise<Ending>((resolve) => {
    this.settle = resolve;
  });

  /** `releaseFailed`: a layer threw as it was let go; the layers below it are let go all the same. */
  constructor(private readonly releaseFailed: (layer: string, err: unknown) => void) {}

  /**
   * Takes one layer: `acquire`, then `release` is remembered for the end. A layer that
   * holds nothing (a step of the start-up) has no `release`. Throws what `acquire` threw,
   * or, once the process is asked to end, that the start-up is over.
   */
  async take<T>(layer: string, acquire: () => T | Promise<T>, release?: (value: T) => void | Promise<void>): Promise<T> {
    if (this.ending !== undefined) throw new StartStopped();
    const acquiring = Promise.resolve().then(acquire);
    const first = await Promise.race([acquiring.then((value) => ({ value })), this.ended.then(() => undefined)]);
    if (first === undefined) {
      acquiring.then(
        (value) => this.letGo({ layer, release: () => release?.(value) }),
        () => undefined, // the start-up is over: its failure no longer matters
      );
      throw new StartStopped();
    }
    if (release !== undefined) this.held.push({ layer, release: () => release(first.value) });
    return first.value;
  }

  /** Ends the process with `code`: a signal (0), the fault budget (EX_SOFTWARE). The first ending asked for wins. */
  stop(code: number): void {
    this.end({ code });
  }

  /** Ends the process with `error`: run() rejects with it once every layer is let go. */
  fail(error: unknown): void {
    this.end({ error });
  }

  /**
   * The process's life: `start` takes the layers; then it runs until asked to end; then
   * every layer taken is let go, the last taken first. Resolves with the exit code, or
   * rejects with what ended it (a layer that could not be taken, a crash).
   */
  async run(start: () => Promise<void>): Promise<number> {
    try {
      await start();
    } catch (err) {
      if (!(err instanceof StartStopped)) this.fail(err);
    }
    const ending = await this.ended;
    for (let held = this.held.pop(); held !== undefined; held = this.held.pop()) await this.letGo(held);
    if ('error' in ending) throw ending.error;
    return ending.code;
  }

  private end(ending: Ending): void {
    if (this.ending !== undefined) return;
    this.ending = ending;
    this.settle(ending);
  }

  private async letGo(held: Held): Promise<void> {
    try {
      await held.release();
    } catch (err) {
      this.releaseFailed(held.layer, err);
    }
  }
}
