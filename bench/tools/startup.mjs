// How long a command takes from spawn to exit, against `node -e 0` measured in the same
// run, the two alternating so that the machine's load of the moment is in both (issue 21,
// target 1: `ifdepd --version` and `ifdepd status` within 1.5x of bare Node).
//
//   npm run build && node bench/tools/startup.mjs        (ROUNDS=30 by default; no root needed)
//
// `status` asks a socket where no daemon listens: it loads and runs the whole client path
// and exits 69 without waiting for anyone.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { summarize } from '../lib/stats.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 30);
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const commands = {
  'node -e 0': ['-e', '0'],
  'ifdepd --version': [CLI, '--version'],
  'ifdepd status': [CLI, '-s', '/nonexistent/ifdepd.sock', 'status'],
};

const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, args] of Object.entries(commands)) {
    const t = performance.now();
    spawnSync(process.execPath, args, { stdio: 'ignore' });
    times[name].push(performance.now() - t);
  }
}
const floor = summarize(times['node -e 0']).median;
console.log(`spawn -> exit, ${ROUNDS} rounds, median (p25, p75) ms and ratio to node -e 0 (Node ${process.version})`);
for (const [name, xs] of Object.entries(times)) {
  const s = summarize(xs);
  console.log(`${name.padEnd(18)} ${s.median.toFixed(1).padStart(7)} (p25 ${s.p25.toFixed(1)}, p75 ${s.p75.toFixed(1)})  ${(s.median / floor).toFixed(2)}x`);
}
