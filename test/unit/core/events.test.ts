import { describe, expect, it } from 'vitest';
import { describeReread, EVENT_SCHEMA_VERSION, resyncCause, type Reread, type ResyncCause } from '../../../src/core/events.js';

describe('events', () => {
  it('the schema is version 1 (a change to it is a change of ifdepd(8) too)', () => {
    expect(EVENT_SCHEMA_VERSION).toBe(1);
  });

  it.each<[Reread, string, ResyncCause]>([
    [{ kind: 'start' }, 'start', 'start'],
    [{ kind: 'sighup' }, 'SIGHUP', 'sighup'],
    [{ kind: 'overrun' }, 'overrun', 'overrun'],
    [{ kind: 'again', after: { kind: 'overrun' } }, 'overrun, again: notifications were lost meanwhile', 'overrun'],
    [{ kind: 'again', after: { kind: 'sighup' } }, 'SIGHUP, again: notifications were lost meanwhile', 'overrun'],
    [{ kind: 'fault', where: 'groups: timer' }, 'fault in groups: timer', 'fault'],
    [{ kind: 'confirmation-failed' }, 'confirmation failed', 'confirmation'],
    [{ kind: 'configured' }, 'configured', 'start'],
  ])('a re-read for %j is said %j, and counted as %s', (reread, words, cause) => {
    expect(describeReread(reread)).toBe(words);
    expect(resyncCause(reread)).toBe(cause);
  });

  it('the category of a re-read does not depend on the words of what it names', () => {
    // A fault whose place reads like another cause stays a fault.
    expect(resyncCause({ kind: 'fault', where: 'SIGHUP: notifications were lost' })).toBe('fault');
  });
});
