import type { rt as Rt, RtNetlinkSocket } from 'netlink';
import { netlink } from './netlink-package.js';

const { AttrStream, createRtNetlink, FlagsGet, rt } = netlink;
import type { GroupChange, ProtoDownChange } from '../core/kernel-port.js';
import type { IfIndex, LinkState } from '../core/types.js';
import { requestError } from './errors.js';
import { InFlight } from './in-flight.js';
import { linkQuery, linkQueryByName, linksOf } from './link-query.js';
import { encodeProtoDownReason } from './proto-down-reason.js';

export interface RequesterOptions {
  /** A request whose ACK was dropped never settles on its own. */
  readonly timeoutMs: number;
  /** ~400 outstanding ACKs overrun the socket: stay far below. */
  readonly maxInFlight: number;
}

const DEFAULTS: RequesterOptions = { timeoutMs: 2000, maxInFlight: 32 };
/** A dump of 4,000 links took 80-300 ms on a busy 2-CPU machine; a lost part of it must not stall a re-read for long. */
const DUMP_TIMEOUT_MS = 10_000;
const RECEIVE_BUFFER = 8 << 20;

/** Writes to and reads from the kernel's link table (and dumps routes and addresses), on a socket not subscribed to events. */
export class LinkRequester {
  private readonly inFlight: InFlight;
  /** The dump under way: two at once on one socket interleave their parts, and the package fails both. */
  private dumping: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly socket: RtNetlinkSocket,
    private readonly options: RequesterOptions,
  ) {
    this.inFlight = new InFlight(options.maxInFlight);
  }

  static open(onError: (err: Error) => void, options: Partial<RequesterOptions> = {}): LinkRequester {
    const socket = createRtNetlink({ ref: false, recvBufferSize: RECEIVE_BUFFER, sendBufferSize: 0 });
    // Unhandled, an 'error' on the low-level socket aborts the process.
    socket.socket.on('error', (err: Error) => {
      try {
        onError(err);
      } catch {
        // never let it reach the native callback
      }
    });
    return new LinkRequester(socket, { ...DEFAULTS, ...options });
  }

  /**
   * Every interface the kernel has now. The request goes through the package's
   * low-level socket, which hands back the raw parts: the lean parser reads them.
   */
  dump(): Promise<LinkState[]> {
    return this.oneDumpAtATime(() => this.dumpLinks());
  }

  private async dumpLinks(): Promise<LinkState[]> {
    try {
      const [parts] = await this.socket.socket.request(rt.MessageType.GETLINK, linkQuery(0), {
        flags: FlagsGet.DUMP,
        timeout: DUMP_TIMEOUT_MS,
      });
      return linksOf(parts);
    } catch (err) {
      throw requestError('dump links', err);
    }
  }

  /**
   * Every message of a GETROUTE or GETADDR dump of both families, raw (route and address
   * sources parse them: kernel/route-parser.ts, address-parser.ts). `header` is the
   * request's rtmsg or ifaddrmsg, all zero: no filter.
   */
  dumpRaw(what: 'routes' | 'addresses'): Promise<Buffer[]> {
    return this.oneDumpAtATime(() => this.dumpParts(what));
  }

  private oneDumpAtATime<T>(dump: () => Promise<T>): Promise<T> {
    const next = this.dumping.then(dump, dump);
    this.dumping = next.catch(() => undefined);
    return next;
  }

  private async dumpParts(what: 'routes' | 'addresses'): Promise<Buffer[]> {
    const [type, header] = what === 'routes' ? [rt.MessageType.GETROUTE, 12] : [rt.MessageType.GETADDR, 8];
    try {
      const [parts] = await this.socket.socket.request(type, [new Uint8Array(header)], { flags: FlagsGet.DUMP, timeout: DUMP_TIMEOUT_MS });
      const answer = what === 'routes' ? rt.MessageType.NEWROUTE : rt.MessageType.NEWADDR;
      return parts.filter((p) => p.type === answer).map((p) => p.data);
    } catch (err) {
      throw requestError(`dump ${what}`, err);
    }
  }

  /** One interface as the kernel has it now, or undefined if it does not exist. */
  get(index: IfIndex): Promise<LinkState | undefined> {
    return this.inFlight.run(async () => {
      try {
        const [parts] = await this.socket.socket.request(rt.MessageType.GETLINK, linkQuery(index), {
          timeout: this.options.timeoutMs,
        });
        return linksOf(parts).find((link) => link.index === index);
      } catch (err) {
        const failure = requestError(`get link ${index}`, err);
        if (failure.code === 'ENODEV') return undefined;
        throw failure;
      }
    });
  }

  /**
   * Sets IFF_UP, touching no other flag (without a change mask the kernel replaces them all).
   * The interface is named, not indexed (ifi_index 0 makes the kernel look up IFLA_IFNAME):
   * an ifindex freed by a deletion can be reused by an unrelated interface before
   * the notification of the deletion has been read, and must never be written to.
   */
  setAdmin(name: string, up: boolean): Promise<void> {
    return this.inFlight.run(async () => {
      try {
        await this.socket.setLink(
          { index: 0, flags: up ? { up: true } : {}, change: { up: true } },
          { ifname: name },
          { timeout: this.options.timeoutMs },
        );
      } catch (err) {
        throw requestError(`set ${up ? 'up' : 'down'}`, err);
      }
    });
  }

  /** Sets IFLA_PROTO_DOWN and/or a reason bit, by name: carrier off, admin state and addresses kept (macvlan, not veth). */
  setProtoDown(name: string, change: ProtoDownChange): Promise<void> {
    const out = protoDownMessage({ index: 0 }, { ifname: name }, change);
    return this.inFlight.run(async () => {
      try {
        await this.socket.socket.request(rt.MessageType.SETLINK, out, { timeout: this.options.timeoutMs });
      } catch (err) {
        throw requestError(describeProtoDown(change), err);
      }
    });
  }

  /**
   * The interface of this name now, or undefined if there is none. Since Linux 6.8 a GETLINK
   * for one interface first runs the kernel's pending linkwatch work for it
   * (linkwatch_sync_dev), so its operstate and IFF_RUNNING are current, and announced, at
   * once: act/protodown-action.ts asks for that reason.
   */
  getByName(name: string): Promise<LinkState | undefined> {
    return this.inFlight.run(async () => {
      try {
        const [parts] = await this.socket.socket.request(rt.MessageType.GETLINK, linkQueryByName(name), { timeout: this.options.timeoutMs });
        return linksOf(parts).find((link) => link.name === name);
      } catch (err) {
        const failure = requestError(`get link ${name}`, err);
        if (failure.code === 'ENODEV') return undefined;
        throw failure;
      }
    });
  }

  /** Puts the interface of this name in kernel interface group `group` (0: the default group, none). */
  setGroup(name: string, group: number): Promise<void> {
    return this.inFlight.run(async () => {
      try {
        await this.socket.setLink({ index: 0 }, { ifname: name, group }, { timeout: this.options.timeoutMs });
      } catch (err) {
        throw requestError(`set group ${group}`, err);
      }
    });
  }

  /**
   * One RTM_NEWLINK with ifindex 0 and IFLA_GROUP: the kernel applies the change to every
   * member of the group inside one rtnl critical section (RTM_SETLINK has no group form).
   */
  switchGroup(group: number, change: GroupChange): Promise<void> {
    let bufs: Uint8Array[];
    if (change.kind === 'admin') {
      const out = new AttrStream();
      rt.formatLinkMessage({ kind: 'link', data: { index: 0, flags: change.up ? { up: true } : {}, change: { up: true } }, attrs: { group } }, out);
      bufs = out.bufs;
    } else {
      bufs = protoDownMessage({ index: 0 }, { group }, change);
    }
    return this.inFlight.run(async () => {
      try {
        await this.socket.socket.request(rt.MessageType.NEWLINK, bufs, { timeout: this.options.timeoutMs });
      } catch (err) {
        throw requestError(`switch group ${group}`, err);
      }
    });
  }

  close(): void {
    this.socket.socket.close();
  }
}

/** An ifinfomsg with these attributes, IFLA_PROTO_DOWN, and the reason nest the package cannot encode. */
function protoDownMessage(data: Rt.Link, attrs: Rt.LinkMessage['attrs'], change: ProtoDownChange): Uint8Array[] {
  const out = new AttrStream();
  const withFlag = change.on === undefined ? attrs : { ...attrs, protoDown: Buffer.from([change.on ? 1 : 0]) };
  rt.formatLinkMessage({ kind: 'link', data, attrs: withFlag }, out);
  if (change.reason === undefined) return out.bufs;
  // The package pads before an attribute, not after the last one: pad to 4 bytes first.
  const length = out.bufs.reduce((sum, b) => sum + b.length, 0);
  const padding = (4 - (length % 4)) % 4;
  return [...out.bufs, ...(padding > 0 ? [new Uint8Array(padding)] : []), encodeProtoDownReason(change.reason)];
}

/** "set protodown on", or "set protodown reason bit 6 off" for a reason alone, for an error line. */
function describeProtoDown(change: ProtoDownChange): string {
  if (change.on !== undefined) return `set protodown ${change.on ? 'on' : 'off'}`;
  return `set protodown reason bit ${change.reason?.bit ?? '?'} ${change.reason?.set === true ? 'on' : 'off'}`;
}
