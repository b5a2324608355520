import { reasonBits } from './protodown-reason.js';
import type { LinkState } from './types.js';

/** The kernel also notifies changes ifdepd does not look at (MTU, statistics, ...): those are no change. */
export const sameLink = (a: LinkState, b: LinkState): boolean =>
  a.index === b.index &&
  a.name === b.name &&
  a.adminUp === b.adminUp &&
  a.lowerUp === b.lowerUp &&
  a.operState === b.operState &&
  a.protoDown === b.protoDown &&
  // Another program's reason bit set or cleared changes whose protodown it is.
  (a.protoDownReasons ?? 0) === (b.protoDownReasons ?? 0);

function describeLink(link: LinkState): string {
  return (
    `${link.name} (ifindex ${link.index}): admin ${link.adminUp ? 'up' : 'down'}, ${link.lowerUp ? 'carrier' : 'no carrier'}, ` +
    `operstate ${link.operState}${link.protoDown ? ', protodown' : ''}${reasons(link)}`
  );
}

function reasons(link: LinkState): string {
  const bits = reasonBits(link.protoDownReasons ?? 0);
  return bits.length === 0 ? '' : ` (reason bit ${bits.join(',')})`;
}

/** The -v line for one notification: what it changed, before -> after. */
export function describeChange(before: LinkState | undefined, after: LinkState | undefined): string {
  if (after === undefined) return `link ${before?.name ?? '?'} (ifindex ${before?.index ?? '?'}) deleted`;
  if (before === undefined) return `link appeared: ${describeLink(after)}`;
  if (before.name !== after.name) return `link ${before.name} renamed to ${describeLink(after)}`;
  return `link ${describeLink(after)}`;
}
