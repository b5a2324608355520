import type { LinkLookup } from '../core/link-table.js';
import { reasonBits, reasonMask } from '../core/protodown-reason.js';
import type { Decision, LinkState } from '../core/types.js';
import type { ProtoDownChange } from '../core/kernel-port.js';
import type { InterfaceAction, LinkWriter } from './interface-action.js';
import { errnoOf } from '../base/errors.js';

/**
 * IFLA_PROTO_DOWN: carrier off, the admin state and IPv6 addresses kept.
 *
 * With reasons (`reasonBit`, Linux >= 5.10) ifdepd holds protodown with its own bit, as FRR's
 * vrrpd holds it with its own: "down" is ifdepd's bit set and protodown on; "up" is ifdepd's
 * bit clear and protodown off unless another program's bit keeps it on, which is that
 * program's business, not a failure. Another program's bit is never touched (the request's
 * mask names ifdepd's bit only). Protodown on with no bit at all (plain, from an older ifdepd
 * or a tool without reasons) is not "up": ifdepd clears it. Without reasons (`reasonBit`
 * undefined), plain protodown, which any other program can clear or block.
 *
 * Carrier off reaches operstate and IFF_RUNNING, which keepalived reads, only when the
 * kernel's linkwatch runs. For an admin-up macvlan that is at once (an "urgent" event);
 * for an interface that is admin down it can be up to a second later. keepalived creates
 * a VMAC admin down and sets it up itself: set protodown before that, and the new VMAC
 * reads operstate UNKNOWN, so running, once it is up, until linkwatch runs (measured:
 * 30-400 ms; keepalived took MASTER in it). So protodown on an interface not known to be
 * admin up is followed by a GETLINK that makes the kernel run linkwatch for it first.
 */
export const protodownAction = (kernel: () => LinkWriter, links: LinkLookup, reasonBit: number | undefined): InterfaceAction => {
  const own = reasonBit === undefined ? 0 : reasonMask(reasonBit);
  const word = (link: LinkState): number => link.protoDownReasons ?? 0;
  const others = (link: LinkState): number => (word(link) & ~own) >>> 0;
  const mine = (link: LinkState): boolean => (word(link) & own) !== 0;
  const change = (on: boolean | undefined, set: boolean): ProtoDownChange => ({
    ...(on === undefined ? {} : { on }),
    ...(reasonBit === undefined ? {} : { reason: { bit: reasonBit, set } }),
  });
  const settle = (name: string, decision: Decision): Promise<void> =>
    decision === 'down' && links.byName(name)?.adminUp !== true ? syncLink(kernel(), name) : Promise.resolve();

  const up = async (name: string): Promise<void> => {
    const link = links.byName(name);
    // Another program holds it: clear only ifdepd's bit; protodown off would be refused.
    if (reasonBit !== undefined && link !== undefined && others(link) !== 0) return kernel().setProtoDown(name, change(undefined, false));
    try {
      await kernel().setProtoDown(name, change(false, false));
    } catch (err) {
      // A bit set since the table last heard of it. The kernel cleared ifdepd's bit before
      // refusing protodown off, but says so to nobody: clear it again, alone, to be notified.
      if (reasonBit === undefined || errnoOf(err) !== 'EBUSY') throw err;
      await kernel().setProtoDown(name, change(undefined, false));
    }
  };

  return {
    kind: 'protodown',
    stateWord: 'protodown-state',
    // Down while protodown is on for ifdepd, or for nobody in particular (plain).
    stateOf: (link) => (link.protoDown && (own === 0 || mine(link) || others(link) === 0) ? 'down' : 'up'),
    reached: (link, decision) => {
      if (own === 0) return link.protoDown === (decision === 'down');
      if (decision === 'down') return link.protoDown && mine(link);
      return !mine(link) && (!link.protoDown || others(link) !== 0);
    },
    heldByOthers: (link) => (link.protoDown && own !== 0 ? reasonBits(others(link)) : []),
    describe: (decision) => `${decision} (protodown ${decision === 'down' ? 'on' : 'off'}${reasonBit === undefined ? '' : `, reason bit ${reasonBit}`})`,
    write: async (name, decision) => {
      if (decision === 'up') return up(name);
      await kernel().setProtoDown(name, change(true, true));
      await settle(name, decision);
    },
    // The atomic switch sends "up" only when no member is held by another program.
    groupChange: (decision) => ({ kind: 'protodown', ...change(decision === 'down', decision === 'down') }),
    settle,
  };
};

/**
 * Asks for the interface and drops the answer: the GETLINK makes the kernel's operstate
 * current. Never rejects: gone meanwhile, or no answer, the write itself stands and is
 * confirmed as usual.
 */
const syncLink = (kernel: LinkWriter, name: string): Promise<void> =>
  kernel.linkByName(name).then(
    () => undefined,
    () => undefined,
  );
