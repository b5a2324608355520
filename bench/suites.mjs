// Suites 2-4 (scale, idle, soak); suite 1 (reaction) is in run.mjs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function run({ suite, QUICK, CLI, createNs, destroyNs, runInner, fillerPairs, reactionTopo, load }) {
  const inNs = async (tag, build, script, cfg) => {
    const ns = createNs(tag);
    const dir = mkdtempSync(join(tmpdir(), 'ifdepd-bench-'));
    try {
      const topo = reactionTopo(ns, cfg.n ?? 1);
      build?.(ns);
      return await runInner(ns, script, { ...topo, dir, cli: CLI, ...cfg });
    } finally {
      destroyNs(ns);
      rmSync(dir, { recursive: true, force: true });
    }
  };

  await suite('scale', async () => {
    const sizes = QUICK ? [100, 1000] : [100, 1000, 4000];
    const runs = [];
    for (const k of sizes) {
      const loadBefore = load();
      // k interfaces in all: (k - 4) / 2 filler veth pairs + bridge, source pair, destination
      const res = await inNs(`s${k}`, (ns) => fillerPairs(ns, Math.max(0, Math.round((k - 4) / 2))), 'scale.mjs', {
        k,
        starts: QUICK ? 2 : 5,
        hups: QUICK ? 3 : 10,
      });
      runs.push({ ...res, loadBefore, loadAfter: load() });
    }
    return { runs };
  });

  await suite('idle', async () => {
    const res = await inNs('idle', null, 'idle.mjs', { seconds: QUICK ? 10 : 60, warmup: QUICK ? 3 : 10 });
    return res;
  });

  await suite('soak', async () => {
    const res = await inNs('soak', null, 'soak.mjs', {
      flaps: QUICK ? 2000 : 100_000,
      batch: QUICK ? 1000 : 10_000,
      maxSeconds: QUICK ? 60 : 600,
    });
    return res;
  });
}
