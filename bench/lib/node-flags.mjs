// The node options ifdepd ships with: read from the launcher (packaging/deb/files/ifdepd.sh,
// `exec /usr/bin/node FLAGS /usr/lib/ifdepd/dist/cli.js "$@"`), so that the bench measures
// what is installed. BENCH_IFDEPD_NODE_FLAGS overrides them ("" for none), for comparisons.
import { readFileSync } from 'node:fs';

const LAUNCHER = new URL('../../packaging/deb/files/ifdepd.sh', import.meta.url);

export function ifdepdNodeFlags() {
  const override = process.env.BENCH_IFDEPD_NODE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  const exec = readFileSync(LAUNCHER, 'utf8')
    .split('\n')
    .find((l) => /^exec \/usr\/bin\/node /.test(l));
  if (exec === undefined) throw new Error(`${LAUNCHER.pathname}: no "exec /usr/bin/node" line`);
  const words = exec.split(/\s+/);
  return words.slice(2, words.findIndex((w) => w.endsWith('/cli.js')));
}
