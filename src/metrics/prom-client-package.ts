import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as PromClient from 'prom-client';

/** What ifdepd uses of prom-client: a registry, its three metric types and Node's process metrics. */
export type PromClientParts = Pick<typeof PromClient, 'Registry' | 'Counter' | 'Gauge' | 'Histogram' | 'collectDefaultMetrics'>;

/**
 * Those parts, required one file each from the package's lib/. Why not `from 'prom-client'`:
 * its index also loads the Pushgateway client (http, https, tls, zlib and node:crypto), the
 * summaries' t-digest and the cluster aggregator, which ifdepd never uses: 2.2 MiB of
 * resident memory (issue 21, bench/README.md). The package has no exports map: these are its
 * published files, pinned with the version in package.json; each exports the class itself,
 * as its index.js re-exports it.
 */
const LIB = `${dirname(createRequire(import.meta.url).resolve('prom-client/package.json'))}/lib/`;
const load = (file: string): unknown => createRequire(LIB)(LIB + file);

export const promClient: PromClientParts = {
  Registry: load('registry.js') as PromClientParts['Registry'],
  Counter: load('counter.js') as PromClientParts['Counter'],
  Gauge: load('gauge.js') as PromClientParts['Gauge'],
  Histogram: load('histogram.js') as PromClientParts['Histogram'],
  collectDefaultMetrics: load('defaultMetrics.js') as PromClientParts['collectDefaultMetrics'],
};
