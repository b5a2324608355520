import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_VERSION, resyncCause } from '../../../src/core/events.js';

describe('events', () => {
  it('the schema is version 1 (a change to it is a change of ifdepd(8) too)', () => {
    expect(EVENT_SCHEMA_VERSION).toBe(1);
  });

  it.each([
    ['start', 'start'],
    ['SIGHUP', 'sighup'],
    ['overrun', 'overrun'],
    ['overrun, again: notifications were lost meanwhile', 'overrun'],
    ['SIGHUP, again: notifications were lost meanwhile', 'overrun'],
    ['fault in groups: timer', 'fault'],
    ['confirmation failed', 'confirmation'],
    ['something new', 'retry'],
  ] as const)('a re-read for %j is %s', (why, cause) => {
    expect(resyncCause(why)).toBe(cause);
  });
});
