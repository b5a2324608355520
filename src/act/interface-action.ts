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
}

/** The kernel requests the interface actions need (kernel/requester.ts provides them). */
export interface LinkWriter {
  setAdmin(name: string, up: boolean): Promise<void>;
  setProtoDown(name: string, on: boolean): Promise<void>;
}

/** IFF_UP, as BSD ifdepd does it. */
export const adminAction = (kernel: () => LinkWriter): InterfaceAction => ({
  kind: 'admin',
  stateWord: 'admin',
  stateOf: (link) => (link.adminUp ? 'up' : 'down'),
  describe: (decision) => decision,
  write: (name, decision) => kernel().setAdmin(name, decision === 'up'),
});

/** IFLA_PROTO_DOWN: carrier off, the admin state and IPv6 addresses kept. */
export const protodownAction = (kernel: () => LinkWriter): InterfaceAction => ({
  kind: 'protodown',
  stateWord: 'protodown-state',
  stateOf: (link) => (link.protoDown ? 'down' : 'up'),
  describe: (decision) => `${decision} (protodown ${decision === 'down' ? 'on' : 'off'})`,
  write: (name, decision) => kernel().setProtoDown(name, decision === 'down'),
});
