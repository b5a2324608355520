import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CrashRoute } from '../../../src/daemon/crash-route.js';

describe('the crash route', () => {
  it('sends uncaught exceptions and unhandled rejections to the latest route, and gives them back in reverse', () => {
    const process = new EventEmitter();
    const seen: string[] = [];
    const crashes = new CrashRoute((kind, err) => seen.push(`entry point: ${kind}: ${(err as Error).message}`), process);
    process.emit('uncaughtException', new Error('a'));
    const startUp = crashes.divert((kind) => seen.push(`start-up: ${kind}`));
    process.emit('unhandledRejection', new Error('b'));
    const faults = crashes.divert((kind) => seen.push(`fault: ${kind}`));
    process.emit('uncaughtException', new Error('c'));
    faults();
    process.emit('uncaughtException', new Error('d'));
    startUp();
    process.emit('unhandledRejection', new Error('e'));
    expect(seen).toEqual([
      'entry point: uncaught exception: a',
      'start-up: unhandled rejection',
      'fault: uncaught exception',
      'start-up: uncaught exception',
      'entry point: unhandled rejection: e',
    ]);
    // One listener each, however often diverted: a crash is never handled twice.
    expect(process.listenerCount('uncaughtException')).toBe(1);
    expect(process.listenerCount('unhandledRejection')).toBe(1);
  });
});
