/**
 * At most `max` requests in flight; the rest wait in order. A request under the cap is
 * sent at once, inside the caller's call: p-limit starts every task in a later
 * microtask, after whatever else the notification's callback does (explaining the
 * decision, writing the log line), and that delay was most of ifdepd's own reaction time.
 */
export class InFlight {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) return this.start(task);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => this.start(task).then(resolve, reject));
    });
  }

  private start<T>(task: () => Promise<T>): Promise<T> {
    this.active++;
    let result: Promise<T>;
    try {
      result = task();
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.finally(() => {
      this.active--;
      this.waiting.shift()?.();
    });
  }
}
