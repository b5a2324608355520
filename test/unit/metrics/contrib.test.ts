// contrib/prometheus: the alert rules pass promtool (Debian's prometheus package ships it;
// .ci/run installs it), and the rules and the dashboard use only metrics ifdepd exports.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MetricsExporter } from '../../../src/metrics/exporter.js';

const RULES = 'contrib/prometheus/ifdepd-alerts.yml';
const DASHBOARD = 'contrib/prometheus/ifdepd-dashboard.json';
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

/** Every series name the exporter can write: histograms as _bucket, _sum and _count. */
async function exported(): Promise<Set<string>> {
  const exporter = new MetricsExporter(
    { status: () => ({ version: 'x', pid: 1, uptimeMs: 0, dryRun: false, groups: [], destinations: [] }), subscribe: () => () => undefined },
    'x',
  );
  const text = await exporter.render('http');
  exporter.close();
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

const usedIn = (text: string): string[] => [...new Set(text.match(/\bifdepd_[a-z_]+\b/g) ?? [])];

describe('contrib/prometheus', () => {
  it.skipIf(!hasPromtool && process.env['CI'] === undefined)('promtool check rules passes on the alert rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('the alert rules and the dashboard name only metrics that exist', async () => {
    const names = await exported();
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    const rules = readFileSync(RULES, 'utf8');
    expect(usedIn(queries).length).toBeGreaterThan(10);
    expect(usedIn(queries).filter((n) => !names.has(n))).toEqual([]);
    expect(usedIn(rules).filter((n) => !names.has(n))).toEqual([]);
  });
});
