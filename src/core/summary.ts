import type { DaemonStatus, GroupStatus } from './status.js';

/**
 * The one-line summary systemd shows as the unit's status (sd_notify STATUS=):
 * "2 groups: uplink up, inside DOWN (held)". DOWN is loud because it is the state an
 * operator looks for; the parenthesis says what keeps it so when it is not the sources.
 */
export function statusSummary(status: Pick<DaemonStatus, 'groups' | 'dryRun'>): string {
  const n = status.groups.length;
  const groups = status.groups.map(groupSummary).join(', ');
  return `${status.dryRun ? 'dry-run, ' : ''}${n} group${n === 1 ? '' : 's'}: ${groups === '' ? 'none' : groups}`;
}

function groupSummary(g: GroupStatus): string {
  const state = g.decision === 'up' ? 'up' : 'DOWN';
  const notes: string[] = [];
  if (g.hold?.kind === 'operator') notes.push('held');
  else if (g.hold?.kind === 'startup') notes.push('start-up hold');
  if (g.damping?.suppressed) notes.push('damped');
  if (g.waiting !== undefined) notes.push('waiting for first verdicts');
  if (g.pending !== undefined) notes.push(`${g.pending.target} pending`);
  return `${g.name} ${state}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}
