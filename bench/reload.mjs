// Suite 6 (reload): a failover during the reload of the largest configuration file the
// limits allow, against failovers of the same daemon in the same run with no reload (the
// floor). See bench/inner/reload.mjs for one trial.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reactionTopo } from './lib/topo.mjs';

export async function runReload({ suite, QUICK, CLI, createNs, destroyNs, runInner, load }) {
  await suite('reload', async () => {
    const ns = createNs('reload');
    const dir = mkdtempSync(join(tmpdir(), 'ifdepd-bench-'));
    try {
      const topo = reactionTopo(ns, 1);
      const loadBefore = load();
      const res = await runInner(ns, 'reload.mjs', { ...topo, dir, cli: CLI, trials: QUICK ? 10 : 60 });
      return { ...res, loadBefore, loadAfter: load() };
    } finally {
      destroyNs(ns);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
