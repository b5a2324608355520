import { createRequire } from 'node:module';
import type * as NetlinkPackage from 'netlink';

/**
 * The `netlink` package, loaded with require(). It is CommonJS, with large generated
 * rtnetlink structures: imported as an ES module, Node first runs its CommonJS export
 * lexer over every one of its files to find the named exports, which took 280 ms of a
 * 650 ms start (measured with --cpu-prof: cjs-module-lexer parseSource/parseCJS), longer
 * than Node's own start. require() reads the same files without that pass.
 */
export const netlink: typeof NetlinkPackage = createRequire(import.meta.url)('netlink') as typeof NetlinkPackage;
