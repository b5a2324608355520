#!/usr/bin/env node
// The do-nothing reactor: the least a Node program using the same `netlink` package can do.
// It listens to link notifications (same socket setup as ifdepd's monitor), and on a carrier
// change of SOURCE sets every destination admin down/up with setLink, at most 32 requests in
// flight (ifdepd's own cap). No tables, no policy, no logging, no confirmation.
//   node floor-reactor.mjs SOURCE each DESTFILE    (DESTFILE: one name a line)
//   node floor-reactor.mjs SOURCE group GROUPNUM   (one RTM_NEWLINK for the whole ifgroup)
//   node floor-reactor.mjs SOURCE protodown DESTFILE (IFLA_PROTO_DOWN instead of admin down)
//   node floor-reactor.mjs SOURCE group-protodown GROUPNUM (one RTM_NEWLINK: IFLA_PROTO_DOWN for the whole ifgroup)
import { readFileSync } from 'node:fs';
import { createNetlink, createRtNetlink, Protocol } from 'netlink';

const [source, mode, arg] = process.argv.slice(2);
const rt = createRtNetlink({ ref: false, recvBufferSize: 8 << 20, sendBufferSize: 0 });
rt.socket.on('error', () => {});
const links = await rt.getLinks();
const byName = new Map(links.map((m) => [m.attrs.ifname, m.data.index]));
const srcIndex = byName.get(source);
const dests = !mode.startsWith('group') ? readFileSync(arg, 'utf8').split('\n').filter(Boolean).map((n) => byName.get(n)) : [];
let carrier = !!links.find((m) => m.data.index === srcIndex)?.data.flags?.lowerUp;

const sock = createNetlink(Protocol.ROUTE, { ref: true, recvBufferSize: 8 << 20, sendBufferSize: 0 });
sock.on('error', () => {});
sock.on('message', (msgs) => {
  for (const m of msgs) {
    if (m.type !== 16 || m.data[0] !== 0 || m.data.readInt32LE(4) !== srcIndex) continue;
    const now = (m.data.readUInt32LE(8) & 0x10000) !== 0;
    if (now === carrier) continue;
    carrier = now;
    act(now);
  }
});
sock.addMembership(1);

function act(up) {
  const flags = up ? { up: true } : {};
  if (mode === 'group') {
    rt.newLink({ index: 0, flags, change: { up: true } }, { group: Number(arg) }).catch((e) => console.error(e.message));
    return;
  }
  if (mode === 'group-protodown') {
    rt.newLink({ index: 0 }, { group: Number(arg), protoDown: Buffer.from([up ? 0 : 1]) }).catch((e) => console.error(e.message));
    return;
  }
  let next = 0;
  const one = () => {
    if (next >= dests.length) return;
    const index = dests[next++];
    const p = mode === 'protodown' ? rt.setLink({ index }, { protoDown: Buffer.from([up ? 0 : 1]) }) : rt.setLink({ index, flags, change: { up: true } });
    p.catch((e) => console.error(e.message)).finally(one);
  };
  for (let i = 0; i < 32; i++) one();
}
console.log('ready');
