// The link dump, parsed the old way (the netlink package's rt.parseMessage of every
// attribute, statistics included) and the new way (IFLA_EXT_MASK skip-stats + the lean
// parser of src/kernel/link-parser.ts): time and heap allocated, at 4,001 links.
//
// Run as root from the repository root, after `npm run build`:
//   sudo node bench/tools/parse-bench.mjs            (LINKS=4001 ROUNDS=30 by default)
// It builds a namespace ifdepd-b-<pid>-parse with lo and (LINKS-1)/2 veth pairs, runs
// itself inside it (--inner) and deletes it on exit.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LINKS = Number(process.env.LINKS ?? 4001);
const ROUNDS = Number(process.env.ROUNDS ?? 30);

if (process.argv[2] === '--inner') await inner();
else await outer();

async function outer() {
  const { createNs, destroyAll } = await import('../lib/ns.mjs');
  const { fillerPairs } = await import('../lib/topo.mjs');
  try {
    const ns = createNs('parse');
    fillerPairs(ns, Math.floor((LINKS - 1) / 2));
    // A young generation big enough that one parse pass runs without a scavenge: the
    // growth of the heap during the pass is then what it allocated.
    const flags = ['--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256'];
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, ...flags, fileURLToPath(import.meta.url), '--inner'], {
      stdio: 'inherit',
      env: { ...process.env, ROUNDS: String(ROUNDS) },
    });
    process.exitCode = r.status ?? 1;
  } finally {
    destroyAll();
  }
}

async function inner() {
  const { createRtNetlink, rt, AttrStream, FlagsGet, putU32 } = await import('netlink');
  const { PerformanceObserver, performance } = await import('node:perf_hooks');
  const { parseLink } = await import('../../build/tsc/kernel/link-parser.js');
  const { LinkRequester } = await import('../../build/tsc/kernel/requester.js');

  const OPER = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];
  // ifdepd's mapping before the lean parser (src/kernel/link-message.ts).
  const toLinkState = ({ data, attrs }) =>
    (data.family ?? 0) !== 0 || data.index === undefined || attrs.ifname === undefined
      ? undefined
      : {
          index: data.index,
          name: attrs.ifname,
          adminUp: data.flags?.up === true,
          lowerUp: data.flags?.lowerUp === true,
          operState: OPER[attrs.operstate ?? 0] ?? 'unknown',
          protoDown: attrs.protoDown?.[0] === 1,
        };
  const sock = createRtNetlink({ recvBufferSize: 8 << 20, sendBufferSize: 0 });
  const requester = LinkRequester.open((err) => console.error(`requester: ${err.message}`));

  async function rawDump(attrs) {
    const out = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: {}, attrs }, out);
    const [parts] = await sock.socket.request(rt.MessageType.GETLINK, out.bufs, { flags: FlagsGet.DUMP, timeout: 10_000 });
    return parts;
  }
  const full = await rawDump({});
  const skip = await rawDump({ extMask: putU32(rt.formatRtExtFilter({ skipStats: true })) });
  const bytes = (parts) => parts.reduce((n, p) => n + p.data.length, 0);

  const ways = {
    'package: getLinks() + toLinkState (request, receive, parse)': async () =>
      (await sock.getLinks(undefined, undefined, { timeout: 10_000 })).flatMap((m) => toLinkState(m) ?? []),
    'lean: LinkRequester.dump() (request, receive, parse)': () => requester.dump(),
    'package: rt.parseMessage + toLinkState of a full dump': () => full.map((m) => toLinkState(rt.parseMessage(m.type, m.data))),
    'lean: parseLink of a full dump (statistics included)': () => full.map((m) => parseLink(m.data)),
    'lean: parseLink of a skip-stats dump': () => skip.map((m) => parseLink(m.data)),
  };

  let gcs = 0;
  new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
  // GC entries reach the observer asynchronously: let them arrive before counting.
  const flushGcEntries = () => new Promise((r) => setTimeout(r, 100));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  console.log(`links: ${full.length}; dump payload: ${(bytes(full) / 1024).toFixed(0)} KiB with statistics, ${(bytes(skip) / 1024).toFixed(0)} KiB without`);
  const entries = Object.entries(ways);
  for (const [, run] of entries) for (let i = 0; i < 3; i++) await run(); // warm-up: JIT
  // Round-robin, so that the load of a shared machine weighs on every way alike.
  const times = new Map(entries.map(([name]) => [name, []]));
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, run] of entries) {
      const t = performance.now();
      const links = await run();
      times.get(name).push(performance.now() - t);
      if (links.length !== full.length) throw new Error(`${name}: ${links.length} links instead of ${full.length}`);
    }
  }
  for (const [name, run] of entries) {
    global.gc();
    await flushGcEntries();
    gcs = 0;
    const before = process.memoryUsage().heapUsed;
    await run();
    const allocated = process.memoryUsage().heapUsed - before;
    await flushGcEntries();
    const alloc = gcs === 0 ? `${(allocated / 2 ** 20).toFixed(1)} MiB` : `(a GC ran: ${(allocated / 2 ** 20).toFixed(1)} MiB, a lower bound)`;
    const ts = times.get(name);
    console.log(`${name}: median ${median(ts).toFixed(1)} ms, min ${Math.min(...ts).toFixed(1)} ms over ${ROUNDS}; heap allocated by one pass ${alloc}`);
  }
  requester.close();
  sock.socket.close();
}
