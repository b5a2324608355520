import type { LinkLookup } from '../core/link-table.js';
import type { InterfaceActionKind } from '../core/spec.js';
import type { Decision, LinkState } from '../core/types.js';

/** How a decision is written to one interface, and read back from what the kernel reports. */
export interface InterfaceAction {
  readonly kind: InterfaceActionKind;
  /** What the state is called in a log line: "admin down", "protodown-state up". */
  readonly stateWord: string;
  stateOf(link: LinkState): Decision;
  /** What a write does, in a log line: "down", "down (protodown on)". */
  describe(decision: Decision): string;
  /** By name: the destination is whatever interface carries the name now, never a reused ifindex. */
  write(name: string, decision: Decision): Promise<void>;
  /**
   * What must follow a write that was done (also by a group switch) before it counts as
   * done: for protodown, making the kernel's operstate current (see protodownAction).
   */
  settle(name: string, decision: Decision): Promise<void>;
}

/** The kernel requests the interface actions need (kernel/requester.ts provides them). */
export interface LinkWriter {
  setAdmin(name: string, up: boolean): Promise<void>;
  setProtoDown(name: string, on: boolean): Promise<void>;
  /** Runs the kernel's pending link-state work for the interface now; never rejects. */
  syncLink(name: string): Promise<void>;
}

/** IFF_UP, as BSD ifdepd does it. */
export const adminAction = (kernel: () => LinkWriter): InterfaceAction => ({
  kind: 'admin',
  stateWord: 'admin',
  stateOf: (link) => (link.adminUp ? 'up' : 'down'),
  describe: (decision) => decision,
  write: (name, decision) => kernel().setAdmin(name, decision === 'up'),
  // IFF_UP is cleared inside the request, and announced with it.
  settle: () => Promise.resolve(),
});

/**
 * IFLA_PROTO_DOWN: carrier off, the admin state and IPv6 addresses kept.
 *
 * Carrier off reaches operstate and IFF_RUNNING, which keepalived reads, only when the
 * kernel's linkwatch runs. For an admin-up macvlan that is at once (an "urgent" event);
 * for an interface that is admin down it can be up to a second later. keepalived creates
 * a VMAC admin down and sets it up itself: set protodown before that, and the new VMAC
 * reads operstate UNKNOWN, so running, once it is up, until linkwatch runs (measured:
 * 30-400 ms; keepalived took MASTER in it). So protodown on an interface not known to be
 * admin up is followed by a GETLINK that makes the kernel run linkwatch for it first.
 */
export const protodownAction = (kernel: () => LinkWriter, links: LinkLookup): InterfaceAction => {
  const settle = (name: string, decision: Decision): Promise<void> =>
    decision === 'down' && links.byName(name)?.adminUp !== true ? kernel().syncLink(name) : Promise.resolve();
  return {
    kind: 'protodown',
    stateWord: 'protodown-state',
    stateOf: (link) => (link.protoDown ? 'down' : 'up'),
    describe: (decision) => `${decision} (protodown ${decision === 'down' ? 'on' : 'off'})`,
    write: async (name, decision) => {
      await kernel().setProtoDown(name, decision === 'down');
      await settle(name, decision);
    },
    settle,
  };
};
