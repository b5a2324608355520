import type { Socket } from 'node:net';
import { messageOf } from '../base/errors.js';
import { monotonicMs } from '../base/monotonic.js';
import { EVENT_SCHEMA_VERSION, type DaemonEvent } from '../core/events.js';
import type { Logger } from '../logging/logger.js';
import type { ControlHandler } from './api.js';
import { eventJson, eventText, snapshotJson, snapshotText, wording, type Stamp } from './event-encoding.js';
import { MONITOR_LIMITS, MonitorQueue, type MonitorLimits, type MonitorOut, type Timers } from './monitor-queue.js';
import { encodeReply } from './protocol.js';

/** How long a cut reader gets to take its last line before the socket is destroyed. */
const CUT_LINGER_MS = 1000;

const realTimers: Timers = {
  after(ms, call) {
    const timer = setTimeout(call, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

const now = (): Stamp => ({ at: monotonicMs(), wallMs: Date.now() });

/**
 * `{"cmd":"monitor"}`: the connection turns into a stream. The reply, then the snapshot,
 * then every event as it happens, through a bounded queue (monitor-queue.ts): the daemon
 * never waits for the reader. The idle timeout is off; whatever the client sends is read
 * and ignored, so that its hang-up (or half-close) is seen at once and the subscription ends.
 */
export function streamMonitor(
  socket: Socket,
  handler: ControlHandler,
  json: boolean,
  log: Logger,
  limits: MonitorLimits = MONITOR_LIMITS,
): void {
  socket.setTimeout(0);
  let corked = false;
  const out: MonitorOut = {
    get writableLength() {
      return socket.writableLength;
    },
    write: (data) => {
      // The events of a link change are said before its writes to the kernel: held (corked)
      // until the handler is done, they leave after those writes, as one writev per tick.
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      socket.write(data);
    },
    cut: (last) => {
      socket.end(last);
      setTimeout(() => socket.destroy(), CUT_LINGER_MS).unref();
    },
  };
  let stop = (): void => undefined;
  const queue = new MonitorQueue(out, wording(json, now), realTimers, limits, (lost) => {
    stop();
    log.warning(`control: a monitor read too slowly and was disconnected (${lost} events lost)`);
  });
  // Events said while the snapshot is taken (status() may log) follow the snapshot.
  let early: DaemonEvent[] | undefined = [];
  const offer = (event: DaemonEvent): void => {
    if (early !== undefined) early.push(event);
    else if (json) queue.offer((seq) => eventJson(event, seq));
    else if (event.kind === 'log') queue.offer(() => eventText(event) ?? '');
  };
  let watch: ReturnType<ControlHandler['watch']>;
  try {
    watch = handler.watch(offer);
  } catch (err) {
    socket.end(encodeReply({ ok: false, error: messageOf(err) }));
    return;
  }
  stop = () => {
    watch.stop();
    queue.close();
  };
  socket.on('close', stop);
  socket.on('drain', () => queue.flush());
  const stamp = { at: watch.at, wallMs: Date.now() };
  socket.write(encodeReply({ ok: true, monitor: EVENT_SCHEMA_VERSION }));
  socket.write(json ? snapshotJson(watch.status, stamp) : snapshotText(watch.status, stamp));
  const held = early;
  early = undefined;
  for (const event of held) offer(event);
  socket.resume();
  log.debug(`control: monitor started${json ? ' (json)' : ''}`);
}
