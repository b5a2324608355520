import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Where scripts/build-netlink.mjs builds the patched addon: node-gyp-build's first choice. */
const PATCHED_BUILD = join('build', 'Release', 'netlink_binding.node');

let loaded: unknown;

/**
 * The native binding of the `netlink` package, loaded once for the process: netlink's own
 * socket layer gets it from here too (the bundle points its loader at this function,
 * scripts/bundle.mjs), so both hold the very same addon.
 *
 * The patched build is required directly. node-gyp-build, netlink's loader, would find
 * the same file, but at the cost of two more files and a directory walk at every start;
 * with Node's own module resolution, that was enough path work for V8 to optimise Node's
 * path code at start and keep 4 MiB of optimised code for good (bench/README.md). Only
 * when the patched build is missing does node-gyp-build pick one (a stock prebuild), so
 * that isOverrunSafeBinding() can say what is wrong instead of the start failing here.
 */
export function netlinkBinding(): unknown {
  if (loaded !== undefined) return loaded;
  const netlinkDir = dirname(require.resolve('netlink/package.json'));
  try {
    loaded = require(join(netlinkDir, PATCHED_BUILD));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    // node-gyp-build is netlink's dependency: resolve it from there.
    const loader: unknown = createRequire(join(netlinkDir, 'package.json'))('node-gyp-build');
    if (typeof loader !== 'function') throw new TypeError('node-gyp-build did not export a loader function');
    loaded = (loader as (dir: string) => unknown)(netlinkDir);
  }
  return loaded;
}

/**
 * Whether the native binding in use is our patched build (patches/netlink+0.3.0.patch,
 * built by scripts/build-netlink.mjs on postinstall), which exports the
 * `ifdepdOverrunSafe` marker.
 *
 * Why: the stock netlink@0.3.0 binary aborts the whole process (SIGABRT) when the kernel
 * reports ENOBUFS after a netlink receive-queue overrun, and a missing build/Release
 * (e.g. after `npm ci --ignore-scripts`) leaves only the stock prebuilds. So the daemon
 * checks the binary actually in use at startup. Throws if no binding can be loaded at all.
 */
export function isOverrunSafeBinding(): boolean {
  const binding = netlinkBinding();
  return (
    typeof binding === 'object' &&
    binding !== null &&
    (binding as { ifdepdOverrunSafe?: unknown }).ifdepdOverrunSafe === true
  );
}

/**
 * Hands the heap's free memory back to the system (glibc's malloc_trim, from the patched
 * build; see patches/netlink+0.3.0.patch for why glibc keeps it): called once a start or a
 * reload is done, when what it allocated is garbage. A binding without it does nothing.
 */
export function releaseFreeMemory(): void {
  const release = (netlinkBinding() as { ifdepdReleaseFreeMemory?: unknown } | null)?.ifdepdReleaseFreeMemory;
  if (typeof release === 'function') release();
}
