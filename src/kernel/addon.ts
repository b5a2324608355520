import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * Whether the native binding that the `netlink` package loads is our patched
 * build (patches/netlink+0.3.0.patch, built by scripts/build-netlink.mjs on
 * postinstall), which exports the `ifdepdOverrunSafe` marker.
 *
 * Why: the stock netlink@0.3.0 binary aborts the whole process (SIGABRT) when
 * the kernel reports ENOBUFS after a netlink receive-queue overrun, and
 * node-gyp-build silently falls back to the stock prebuilds/ when the patched
 * build/Release is missing (e.g. after `npm ci --ignore-scripts`). So the
 * daemon checks the binary actually in use at startup.
 *
 * Loads the binding the same way netlink does (node-gyp-build on the package
 * directory), so Node's module cache hands back the very same addon. Throws if
 * no binding can be loaded at all.
 */
export function isOverrunSafeBinding(): boolean {
  const netlinkPkg = createRequire(import.meta.url).resolve('netlink/package.json');
  // node-gyp-build is netlink's dependency: resolve it from there.
  const loader: unknown = createRequire(netlinkPkg)('node-gyp-build');
  if (typeof loader !== 'function') throw new TypeError('node-gyp-build did not export a loader function');
  const binding: unknown = (loader as (dir: string) => unknown)(dirname(netlinkPkg));
  return (
    typeof binding === 'object' &&
    binding !== null &&
    (binding as { ifdepdOverrunSafe?: unknown }).ifdepdOverrunSafe === true
  );
}
