// A scrape flood: CONCURRENCY clients GET http://127.0.0.1:PORT/metrics back to back, for
// the reaction bench's `ifdepd-scraped` tool (ifdepd with --metrics-listen under this flood).
// Refused connections (ifdepd not listening yet, or beyond its limit) are retried at once.
import { get } from 'node:http';

const [port, concurrency = '16'] = process.argv.slice(2);
let scrapes = 0;
let failures = 0;

function scrape() {
  const req = get({ host: '127.0.0.1', port: Number(port), path: '/metrics', agent: false }, (res) => {
    res.resume();
    res.on('end', () => {
      scrapes += 1;
      setImmediate(scrape);
    });
  });
  req.on('error', () => {
    failures += 1;
    setTimeout(scrape, 10);
  });
}

for (let i = 0; i < Number(concurrency); i++) scrape();
process.on('SIGTERM', () => {
  process.stderr.write(`scrape-flood: ${scrapes} scrapes, ${failures} failures\n`);
  process.exit(0);
});
