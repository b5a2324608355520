// COUNT `ifdepd monitor --json` clients that never read: for the reaction bench's
// `ifdepd-monitored` tool (ifdepd with its control socket and these stalled consumers).
// Each connects, asks for the stream and then only holds its socket; one that ifdepd cuts
// (too far behind) connects again after 100 ms, so that COUNT stay stalled.
import { createConnection } from 'node:net';

const [path, count = '10'] = process.argv.slice(2);
let cut = 0;

function stall() {
  const socket = createConnection(path, () => {
    socket.write('{"cmd":"monitor","json":true}\n');
    socket.pause();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    cut += 1;
    setTimeout(stall, 100);
  });
}

for (let i = 0; i < Number(count); i++) stall();
// A paused socket does not keep Node running: this does, until SIGTERM.
setInterval(() => undefined, 60_000);
process.on('SIGTERM', () => {
  process.stderr.write(`stalled-monitors: cut ${cut} times\n`);
  process.exit(0);
});
