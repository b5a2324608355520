import type { KernelPort } from '../core/kernel-port.js';
import type { LinkState } from '../core/types.js';

/** How the watched interfaces are read: every one (a dump), or these names, one RTM_GETLINK each. */
export type LinkRead = { readonly kind: 'all' } | { readonly kind: 'names'; readonly names: ReadonlySet<string> };

/**
 * The interfaces a read finds. A name with no interface is left out, as a dump would
 * leave it out: missing. Asked all at once; the requester keeps a bounded number in flight.
 */
export async function readLinks(kernel: Pick<KernelPort, 'dumpLinks' | 'linkByName'>, read: LinkRead): Promise<LinkState[]> {
  if (read.kind === 'all') return kernel.dumpLinks();
  const found = await Promise.all([...read.names].map((name) => kernel.linkByName(name)));
  return found.filter((link): link is LinkState => link !== undefined);
}
