import { describe, expect, it } from 'vitest';
import { describeOperatorEvent, reloadedLine } from '../../../src/core/explain.js';

// The lines of `ifdepd hold|release|reload` are rendered from their events, so that the
// log, the command's answer and `ifdepd monitor` cannot say different things.
describe('describeOperatorEvent', () => {
  it('says a hold, and when the hold file could not keep it', () => {
    expect(describeOperatorEvent({ kind: 'hold', group: 'uplink', decision: 'down' })).toBe("uplink: held down by operator until 'ifdepd release uplink'");
    expect(describeOperatorEvent({ kind: 'hold', group: 'uplink', decision: 'up', notStored: 'disk full' })).toBe(
      "uplink: held up by operator until 'ifdepd release uplink'; not stored, a restart would forget it: disk full",
    );
  });

  it('says a release with the decision the group then takes and why', () => {
    expect(describeOperatorEvent({ kind: 'release', group: 'inside', decision: 'up', reason: 'all sources have carrier' })).toBe(
      'inside: released by operator; decision up (all sources have carrier)',
    );
  });

  it('says a reload by its reason, which names the file and the groups', () => {
    const reason = reloadedLine('/etc/ifdepd.conf', 3);
    expect(reason).toBe('reloaded /etc/ifdepd.conf: 3 group(s)');
    expect(describeOperatorEvent({ kind: 'reload', result: 'ok', reason, groups: 3 })).toBe(reason);
    expect(reloadedLine(undefined, 1)).toBe('reloaded configuration: 1 group(s)');
  });
});
