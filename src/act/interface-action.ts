import type { GroupChange, KernelPort } from '../core/kernel-port.js';
import type { InterfaceActionKind } from '../core/spec.js';
import type { Decision, LinkState } from '../core/types.js';
import type { Wanted } from '../core/wanted.js';

/** How a decision is written to one interface, and read back from what the kernel reports. */
export interface InterfaceAction {
  readonly kind: InterfaceActionKind;
  /** What the state is called in a log line: "admin down", "protodown-state up". */
  readonly stateWord: string;
  /** What the interface is, for status and log lines. */
  stateOf(link: LinkState): Decision;
  /**
   * Whether the interface is as `decision` wants it from ifdepd's side: more than stateOf,
   * for protodown with reasons (ifdepd's bit clear while another program holds protodown is
   * "up" reached; protodown on with ifdepd's bit clear is not "down" reached).
   */
  reached(link: LinkState, decision: Decision): boolean;
  /** The reason bits of other programs that hold the interface protodown; empty if none (or not protodown). */
  heldByOthers(link: LinkState): number[];
  /** What a write does, in a log line: "down", "down (protodown on)". */
  describe(decision: Decision): string;
  /** By name: the destination is whatever interface carries the name now, never a reused ifindex. */
  write(name: string, decision: Decision): Promise<void>;
  /** The same change for every member of a kernel interface group, in one request (atomic-switch.ts). */
  groupChange(decision: Decision): GroupChange;
  /**
   * What must follow a write that was done (also by a group switch) before it counts as
   * done: for protodown, making the kernel's operstate current (see protodownAction).
   */
  settle(name: string, decision: Decision): Promise<void>;
  /**
   * The writes of a decision are all handed over: what write() held back to send together
   * (atomic-switch.ts) goes now rather than at the end of the turn. `wanted` is what the
   * groups want of each interface in this same turn, when the caller has it at hand.
   */
  sendHeld?(wanted: (name: string) => Wanted | undefined): void;
}


/** The kernel requests the interface actions need (linkByName: see protodownAction). */
export type LinkWriter = Pick<KernelPort, 'setAdmin' | 'setProtoDown' | 'linkByName'>;

/** IFF_UP, as BSD ifdepd does it. */
export const adminAction = (kernel: () => LinkWriter): InterfaceAction => {
  const stateOf = (link: LinkState): Decision => (link.adminUp ? 'up' : 'down');
  return {
    kind: 'admin',
    stateWord: 'admin',
    stateOf,
    reached: (link, decision) => stateOf(link) === decision,
    heldByOthers: () => [],
    describe: (decision) => decision,
    write: (name, decision) => kernel().setAdmin(name, decision === 'up'),
    groupChange: (decision) => ({ kind: 'admin', up: decision === 'up' }),
    // IFF_UP is cleared inside the request, and announced with it.
    settle: () => Promise.resolve(),
  };
};
