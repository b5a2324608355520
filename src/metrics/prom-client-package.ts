import type * as PromClient from 'prom-client';
import Counter from 'prom-client/lib/counter.js';
import collectDefaultMetrics from 'prom-client/lib/defaultMetrics.js';
import Gauge from 'prom-client/lib/gauge.js';
import Histogram from 'prom-client/lib/histogram.js';
import Registry from 'prom-client/lib/registry.js';

/** What ifdepd uses of prom-client: a registry, its three metric types and Node's process metrics. */
export type PromClientParts = Pick<typeof PromClient, 'Registry' | 'Counter' | 'Gauge' | 'Histogram' | 'collectDefaultMetrics'>;

/**
 * Those parts, imported one file each from the package's lib/. Why not `from 'prom-client'`:
 * its index also loads the Pushgateway client (http, https, tls, zlib and node:crypto), the
 * summaries' t-digest and the cluster aggregator, which ifdepd never uses: 2.2 MiB of
 * resident memory (issue 21, bench/README.md). The package has no exports map: these are its
 * published files, pinned with the version in package.json (prom-client-lib.d.ts types
 * them); each exports the class itself, as its index.js re-exports it. The shipped bundle
 * copies them in with what they require (scripts/bundle.mjs): resolved one by one, their
 * ~75 files were enough path work for V8 to optimise Node's path code at start.
 */
export const promClient: PromClientParts = { Registry, Counter, Gauge, Histogram, collectDefaultMetrics };
