#!/usr/bin/env node
// The do-nothing reactor for route and address sources (bench/tools/probe-reaction.mjs): the
// least a Node program using the same `netlink` package can do. It listens to IPv4 route (or
// address) notifications and, when the watched one comes or goes, sets the destination admin
// up or down. No tables, no policy, no logging, no confirmation.
//   node floor-probe-reactor.mjs route|address SOURCE DEST
import { createNetlink, createRtNetlink, Protocol } from 'netlink';

const [kind, source, dest] = process.argv.slice(2);
const rt = createRtNetlink({ ref: false, recvBufferSize: 8 << 20, sendBufferSize: 0 });
rt.socket.on('error', () => {});
const links = await rt.getLinks();
const indexOf = (name) => links.find((m) => m.attrs.ifname === name).data.index;
const [srcIndex, destIndex] = [indexOf(source), indexOf(dest)];

const sock = createNetlink(Protocol.ROUTE, { ref: true, recvBufferSize: 8 << 20, sendBufferSize: 0 });
sock.on('error', () => {});
sock.on('message', (msgs) => {
  for (const m of msgs) {
    if (kind === 'route' && (m.type === 24 || m.type === 25) && m.data[0] === 2 && m.data[1] === 24) act(m.type === 24);
    if (kind === 'address' && (m.type === 20 || m.type === 21) && m.data[0] === 2 && m.data.readUInt32LE(4) === srcIndex) act(m.type === 20);
  }
});
sock.addMembership(kind === 'route' ? 7 : 5);

function act(up) {
  rt.setLink({ index: destIndex, flags: up ? { up: true } : {}, change: { up: true } }).catch((e) => console.error(e.message));
}
console.log('ready');
