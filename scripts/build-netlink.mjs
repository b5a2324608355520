#!/usr/bin/env node
// postinstall: apply patches/ (patch-package) and rebuild the `netlink`
// native addon from the patched source into node_modules/netlink/build/Release.
//
// Why: the prebuilt binaries shipped in netlink@0.3.0 abort the process
// (SIGABRT) when the kernel reports ENOBUFS after a netlink receive-queue
// overrun. patches/netlink+0.3.0.patch fixes src/binding.cc; node-gyp-build
// (netlink's loader) prefers build/Release over prebuilds/, so the freshly
// built binary is the one that gets loaded. netlink's own install script
// (node-gyp-build) accepts the stock prebuild and compiles nothing, so the
// patched source is built here. The daemon checks the
// `ifdepdOverrunSafe` marker at startup (src/kernel/addon.ts).
//
// Idempotent: patch-package skips an already applied patch, node-gyp rebuild
// starts from scratch. Fails with a non-zero exit and one clear line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const TAG = 'ifdepd postinstall:';

function fail(message) {
  console.error(`${TAG} FAILED: ${message}`);
  process.exit(1);
}

function run(cmd, args, opts) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
}

// --- locate netlink --------------------------------------------------------
let netlinkDir;
try {
  netlinkDir = dirname(require.resolve('netlink/package.json'));
} catch {
  fail(`the netlink package is not installed under ${root}`);
}
const expectedDir = join(root, 'node_modules', 'netlink');
if (resolve(netlinkDir) !== expectedDir) {
  fail(`netlink resolved to ${netlinkDir}, but patch-package can only patch ${expectedDir}`);
}

// --- 1. patch-package --------------------------------------------------------
let patchPackageBin;
try {
  const pkgJson = require.resolve('patch-package/package.json');
  const { bin } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  patchPackageBin = join(dirname(pkgJson), typeof bin === 'string' ? bin : bin['patch-package']);
} catch {
  fail('patch-package is not installed (it must be in "dependencies")');
}
{
  const r = run(process.execPath, [patchPackageBin, '--patch-dir', 'patches', '--error-on-fail'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) fail(`patch-package could not apply patches/ to node_modules/netlink (exit ${r.status ?? r.signal})`);
}

// --- 2. node-gyp rebuild -------------------------------------------------------
// npm exports its bundled node-gyp as $npm_config_node_gyp to lifecycle
// scripts (that is what the `node-gyp` shim on their PATH runs). Outside npm,
// fall back to a node-gyp installed next to us, then to npm's bundled copy.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed locally */
  }
  if (process.env.npm_execpath) {
    // .../npm/bin/npm-cli.js -> .../npm/node_modules/node-gyp/bin/node-gyp.js
    candidates.push(resolve(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  const prefix = resolve(dirname(process.execPath), '..');
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => existsSync(c));
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) fail('node-gyp not found (run this via npm, or install node-gyp)');

const gypArgs = [nodeGyp, 'rebuild'];
// Without a configured nodedir node-gyp downloads the headers; use the ones
// installed with this node binary when they exist (works offline).
const nodePrefix = resolve(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'common.gypi'))) {
  gypArgs.push(`--nodedir=${nodePrefix}`);
}
{
  const env = { ...process.env, PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter) };
  const r = run(process.execPath, gypArgs, { cwd: netlinkDir, env });
  if (r.status !== 0) {
    const log = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd().split('\n').slice(-25).join('\n');
    if (log) console.error(log);
    fail(`node-gyp rebuild of ${netlinkDir} failed (exit ${r.status ?? r.signal}); needs python3, make and a C++ compiler`);
  }
}

// --- 3. verify the result ----------------------------------------------------
const binary = join(netlinkDir, 'build', 'Release', 'netlink_binding.node');
if (!existsSync(binary)) fail(`node-gyp succeeded but ${binary} is missing`);
let binding;
try {
  binding = require(binary);
} catch (err) {
  fail(`cannot load ${binary}: ${err instanceof Error ? err.message : String(err)}`);
}
if (binding.ifdepdOverrunSafe !== true) fail(`${binary} lacks the ifdepdOverrunSafe marker (patch not applied?)`);
console.log(`${TAG} built ${binary} (patched, overrun-safe)`);
