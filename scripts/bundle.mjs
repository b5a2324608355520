#!/usr/bin/env node
// npm run build, second step: bundles tsc's modules (build/tsc/) into the shipped program,
// dist/cli.js and ~15 chunks in dist/chunks/, as CommonJS.
//
// Why: Node loads ~200 ES modules one by one (resolve, read, compile, link), which was
// two thirds of the daemon's start beyond Node's own (spawn -> first log line 315 ms
// against 100 ms for `node -e 0`); bundled, the same start takes ~195 ms (bench/README.md,
// "The shipped program is one bundle"). CommonJS because Node then never starts its ES
// module loader, and a package is require()d without its export lexer.
//
// What stays lazy stays lazy: every dynamic import() is a chunk of its own (the client,
// the control server, the reload worker, metrics, syslog), loaded with require() when
// used; the small modules they share make one chunk (common), and what reads the command
// line and the configuration another (config). Packages stay in node_modules, as
// installed by npm and the .deb, but for the few pure-JavaScript ones the daemon loads
// (INLINED below).
//
// The chunks sit one folder below dist/, at the depth the modules had under build/tsc/,
// so that paths written relative to a module still hold: ../../package.json (the
// version), ../cli.js (the demo starts the watchdog), ./http-server.js (the metrics
// worker, an entry of its own in chunks/) and ../ (the folder of our own frames in a
// fault report). The entry itself may hold none of them: checked below.
//
// Reproducible: the same modules make the same files.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = join(PROJECT, 'build', 'tsc');
const DIST = join(PROJECT, 'dist');

/**
 * The pure-JavaScript packages the daemon loads are copied in: netlink's rtnetlink layer
 * (not its addon), picomatch and ipaddr.js at every start, prom-client's parts and
 * @opentelemetry/api with metrics. Each file Node loads costs a resolution (path.resolve,
 * stat, realpath, package.json lookups), and ~45 of them made Node's own path code hot
 * enough for V8 to optimise it at every start: 6-12 ms of TurboFan, and 4 MiB of the
 * compiler's own code resident for good (bench/README.md). How many files a start may load
 * before that happens depends on how long the paths are (a configuration in a long
 * directory tipped it): so, as few as can be. Their licenses are in the .deb's copyright
 * file, as they are still installed in node_modules.
 */
const INLINED = /^(netlink\/dist\/|picomatch$|ipaddr\.js$|prom-client\/lib\/|@opentelemetry\/api$)/;
/** Node's built-ins and every other package: loaded from node_modules at run time. */
const isExternal = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && !INLINED.test(id);

/**
 * netlink's raw.js finds its addon from its own folder (`__dirname + '/..'`), which in
 * the bundle is dist/chunks/, and through node-gyp-build: it gets it from
 * src/kernel/addon.ts instead, which requires the patched build of the installed package
 * directly (and so the daemon's check and the sockets hold the same addon).
 */
const ADDON_LOAD = "require('node-gyp-build')(__dirname + '/..')";
const ADDON_MODULE = join(MODULES, 'kernel', 'addon.js');
const addonFromPackage = {
  name: 'netlink-addon-from-package',
  transform(code, id) {
    if (!id.endsWith('/netlink/dist/raw.js')) return undefined;
    if (!code.includes(ADDON_LOAD)) fail(`${id}: no ${ADDON_LOAD} to point at the installed package (netlink changed?)`);
    return code.replace(ADDON_LOAD, `require(${JSON.stringify(ADDON_MODULE)}).netlinkBinding()`);
  },
};

/**
 * A chunk loaded by an import() is named for the module imported (cli/run.js: chunks/cli-run.js),
 * so that a fault report's " at chunks/cli-run.js:4431" says which part of the program it was;
 * the chunks of code shared between them keep rolldown's name for them.
 */
function chunkName(chunk) {
  if (chunk.facadeModuleId === null) return 'chunks/[name].js';
  return `chunks/${relative(MODULES, chunk.facadeModuleId).replace(/\.js$/, '').replaceAll('/', '-')}.js`;
}

/**
 * The small modules that several parts of the program share (the client, the daemon, its
 * workers, the demo) make one chunk, instead of one file each: every file Node loads costs
 * a resolution, and the daemon's start loaded eight of them under 6 KB.
 */
const COMMON = new Set([
  'base/version.js',
  'base/errors.js',
  'base/sysexits.js',
  'base/capabilities.js',
  'base/monotonic.js',
  'base/command-line.js',
  'core/duration.js',
  'core/spec.js',
  'core/cause.js',
  'core/events.js',
  'control/api.js',
  'control/format.js',
  'logging/lost-lines.js',
]);
const isCommon = (id) => id.startsWith('\0rolldown') || COMMON.has(relative(MODULES, id));

/**
 * What a daemon's start reads its command line and configuration with, which the reload
 * worker reads a file with too: the option parser, the configuration loader and what
 * both check names, patterns, addresses and paths with (picomatch and ipaddr.js among
 * them). One chunk rather than three, for the same reason.
 */
const CONFIG = new Set([
  'cli/options.js',
  'cli/option-table.js',
  'cli/daemon-words.js',
  'cli/interface-lists.js',
  'core/quote.js',
  'core/ifname.js',
  'core/patterns.js',
  'core/sources/ip.js',
  'base/trusted-path.js',
  'base/safe-directory.js',
  'base/hold-file-path.js',
  'logging/syslog-target.js',
]);
const isConfig = (id) => {
  if (/[\\/]node_modules[\\/](picomatch|ipaddr\.js)[\\/]/.test(id)) return true;
  const module = relative(MODULES, id);
  return CONFIG.has(module) || (module.startsWith('config/') && module !== 'config/reload-worker.js');
};

function fail(message) {
  process.stderr.write(`bundle: ${message}\n`);
  process.exit(1);
}

async function bundle() {
  const build = await rolldown({
    input: {
      cli: join(MODULES, 'cli.js'),
      'chunks/http-server': join(MODULES, 'metrics', 'http-server.js'),
    },
    external: isExternal,
    plugins: [addonFromPackage],
    platform: 'node',
    logLevel: 'warn',
    onLog(level, log) {
      fail(`${level}: ${log.message}`);
    },
  });
  await build.write({
    dir: DIST,
    format: 'cjs',
    strict: true,
    // import('commander') from CommonJS would go through the ES loader and its export lexer.
    dynamicImportInCjs: false,
    entryFileNames: '[name].js',
    chunkFileNames: chunkName,
    codeSplitting: {
      groups: [
        { name: 'common', test: isCommon },
        { name: 'config', test: isConfig },
      ],
    },
  });
  await build.close();
}

rmSync(DIST, { recursive: true, force: true });
await bundle();
// The package is "type": "module"; the bundle is CommonJS.
writeFileSync(join(DIST, 'package.json'), '{ "type": "commonjs" }\n');
const entry = join(DIST, 'cli.js');
if (/__filename|import\.meta/.test(readFileSync(entry, 'utf8'))) {
  fail('dist/cli.js resolves a path relative to itself, which only holds in dist/chunks/: move that code behind a dynamic import()');
}
chmodSync(entry, 0o755);
