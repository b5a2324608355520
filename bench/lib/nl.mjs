// The independent observer: a raw rtnetlink listener (the same socket setup as
// src/kernel/monitor.ts: createNetlink(Protocol.ROUTE) + addMembership) that stamps
// every link and IPv4 address notification with process.hrtime, plus a request socket
// used to pull triggers. Runs inside the benchmark's network namespace.
import { createNetlink, createRtNetlink, Protocol } from 'netlink';

export const IFF_UP = 0x1;
export const IFF_LOWER_UP = 0x10000;
/** Not a kernel flag: IFLA_PROTO_DOWN folded into the flag word by this listener. */
export const PROTO_DOWN = 1 << 30;
const IFLA_PROTO_DOWN = 39;
const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTNLGRP_LINK = 1;
const RTNLGRP_IPV4_IFADDR = 5;

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Keeps the latest flags of every ifindex and calls the watchers on each change.
 * Parses only the ifinfomsg header (family, index, flags): a few microseconds per message,
 * so that it keeps up with 1,024 destinations changing at once.
 */
export class Listener {
  constructor() {
    this.flags = new Map(); // ifindex -> flags
    this.watchers = new Set();
    this.overruns = 0;
    this.messages = 0;
    this.sock = createNetlink(Protocol.ROUTE, { ref: true, recvBufferSize: 8 << 20, sendBufferSize: 0 });
    this.sock.on('message', (msgs) => {
      const t = nowMs();
      try {
        for (const m of msgs) this.onMessage(m, t);
      } catch (err) {
        process.stderr.write(`listener: ${err?.stack ?? err}\n`);
      }
    });
    this.sock.on('error', (err) => {
      this.overruns += 1;
      process.stderr.write(`listener socket error: ${err?.message ?? err}\n`);
    });
    this.sock.on('invalid', () => {});
    this.sock.on('truncatedMessage', () => (this.overruns += 1));
    this.sock.addMembership(RTNLGRP_LINK);
    this.sock.addMembership(RTNLGRP_IPV4_IFADDR);
  }

  onMessage(m, t) {
    this.messages += 1;
    const d = m.data;
    if (m.type === RTM_NEWLINK || m.type === RTM_DELLINK) {
      if (d.length < 16 || d[0] !== 0) return;
      const index = d.readInt32LE(4);
      let flags = m.type === RTM_DELLINK ? -1 : d.readUInt32LE(8);
      if (flags !== -1) {
        for (let off = 16; off + 4 <= d.length; ) {
          const len = d.readUInt16LE(off);
          if (len < 4) break;
          if ((d.readUInt16LE(off + 2) & 0x3fff) === IFLA_PROTO_DOWN && len >= 5 && d[off + 4] !== 0) flags |= PROTO_DOWN;
          off += (len + 3) & ~3;
        }
        flags >>>= 0;
      }
      const old = this.flags.get(index);
      if (old === flags) return;
      this.flags.set(index, flags);
      for (const w of this.watchers) w({ kind: 'link', index, flags, old, t });
    } else if (m.type === RTM_NEWADDR || m.type === RTM_DELADDR) {
      if (d.length < 8 || d[0] !== 2) return;
      const index = d.readInt32LE(4);
      let addr;
      for (let off = 8; off + 4 <= d.length; ) {
        const len = d.readUInt16LE(off);
        const type = d.readUInt16LE(off + 2);
        if (len < 4) break;
        if ((type === 1 || type === 2) && len >= 8) addr = `${d[off + 4]}.${d[off + 5]}.${d[off + 6]}.${d[off + 7]}`;
        off += (len + 3) & ~3;
      }
      for (const w of this.watchers) w({ kind: m.type === RTM_NEWADDR ? 'addr+' : 'addr-', index, addr, t });
    }
  }

  close() {
    this.sock.close();
  }
}

/** Request socket: dumps and the trigger (setting the source's veth PEER down or up). */
export class Requester {
  constructor() {
    this.rt = createRtNetlink({ ref: false, recvBufferSize: 8 << 20, sendBufferSize: 0 });
    this.rt.socket.on('error', (err) => process.stderr.write(`requester: ${err?.message ?? err}\n`));
  }
  async links() {
    const msgs = await this.rt.getLinks(undefined, undefined, { timeout: 20_000 });
    return msgs.map((m) => {
      const pd = m.attrs.protoDown;
      const on = pd !== undefined && (typeof pd === 'number' ? pd !== 0 : pd[0] !== 0);
      return { index: m.data.index, name: m.attrs.ifname, flags: (flagWord(m.data.flags) | (on ? PROTO_DOWN : 0)) >>> 0 };
    });
  }
  setAdmin(index, up) {
    return this.rt.setLink({ index, flags: up ? { up: true } : {}, change: { up: true } }, undefined, { timeout: 5000 });
  }
  setProtoDown(index, on) {
    return this.rt.setLink({ index }, { protoDown: Buffer.from([on ? 1 : 0]) }, { timeout: 5000 });
  }
  close() {
    this.rt.socket.close();
  }
}

/** The package parses ifi_flags into an object of booleans; we want the word back. */
function flagWord(f) {
  if (typeof f === 'number') return f;
  let w = 0;
  if (f?.up) w |= IFF_UP;
  if (f?.lowerUp) w |= IFF_LOWER_UP;
  return w;
}
