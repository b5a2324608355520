import type { LogSink } from '../logging/logger.js';

/** TEST ONLY: see testFault(). */
export const TEST_FAULT_VARIABLE = 'IFDEPD_TEST_FAULT';

/**
 * TEST ONLY. With IFDEPD_TEST_FAULT=TEXT in its environment, the daemon's log throws in
 * the caller of every line that contains TEXT, as a bug would: inside a netlink event
 * handler, a timer, a write completion, wherever that line is said. The integration tests
 * use it to prove that such a fault is survived (test/faults/fault-budget.test.ts).
 * Throwing from the log needs no hook in any component, and without the variable this
 * returns the sink itself: nothing changes in production, where nothing sets it.
 */
export function withTestFault(sink: LogSink, env: NodeJS.ProcessEnv = process.env): LogSink {
  const text = env[TEST_FAULT_VARIABLE];
  if (text === undefined || text === '') return sink;
  return {
    write(severity, line) {
      if (line.includes(text)) throw new Error(`${TEST_FAULT_VARIABLE}: injected fault`);
      sink.write(severity, line);
    },
  };
}
