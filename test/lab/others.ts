// The CLI for other users. Tests that run it as nobody cannot run the checkout's
// dist/cli.js when the checkout is in a directory others may not enter (`mktemp -d`
// makes it 0700): they run a copy of what `node dist/cli.js` needs (dist/,
// package.json, the production dependencies in node_modules) in a fresh directory
// under the system's temp dir, readable by all. One copy per test file, made on first
// use and removed after the file's tests (and, failing that, when the runner exits).
import { chmodSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll } from 'vitest';
import { CLI } from './paths.js';

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;

/** Where Node finds package `name` from `from`: the nearest node_modules/<name> at or above it, within `root`. */
function resolvePackage(name: string, from: string, root: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

/** The directories of every package `root`'s production dependencies pull in. */
function productionPackages(root: string): string[] {
  const found = new Set<string>();
  const visit = (from: string): void => {
    const pkg = readPackage(from);
    const required = Object.keys(pkg.dependencies ?? {});
    const optional = Object.keys(pkg.optionalDependencies ?? {});
    for (const name of [...required, ...optional]) {
      const dir = resolvePackage(name, from, root);
      if (dir === undefined) {
        if (optional.includes(name)) continue;
        throw new Error(`cannot copy the CLI for other users: ${name} (needed by ${from}) is not installed`);
      }
      if (found.has(dir)) continue;
      found.add(dir);
      visit(dir);
    }
  };
  visit(root);
  return [...found];
}

/** Readable (and, where the owner may, executable) by all: u+r, go+r, directories go+x. */
function openUp(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    chmodSync(path, (st.mode & 0o7777) | 0o755);
    for (const entry of readdirSync(path)) openUp(join(path, entry));
  } else {
    chmodSync(path, (st.mode & 0o7777) | 0o444 | (st.mode & 0o100 ? 0o111 : 0));
  }
}

/** Why others cannot reach `dir` (an ancestor they cannot search), or null. */
function unreachable(dir: string): string | null {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return `${d} is not searchable by others (mode ${(statSync(d).mode & 0o777).toString(8)})`;
  }
  return null;
}

/** Copies what `node <dist>/cli.js` needs into a new directory readable by all; returns the copy's cli.js. */
function copyCli(): { dir: string; cli: string } {
  const dist = dirname(CLI);
  const root = dirname(dist);
  const dir = mkdtempSync(join(tmpdir(), 'cli-for-others-'));
  try {
    cpSync(dist, join(dir, basename(dist)), { recursive: true });
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    for (const pkg of productionPackages(root)) {
      // Nested node_modules are copied as packages of their own, only those needed.
      const nested = join(pkg, 'node_modules');
      cpSync(pkg, join(dir, relative(root, pkg)), { recursive: true, filter: (src) => src !== nested });
    }
    openUp(dir);
    const why = unreachable(dir);
    if (why !== null) throw new Error(`cannot copy the CLI for other users: ${why}`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, cli: join(dir, basename(dist), basename(CLI)) };
}

let copy: { dir: string; cli: string } | undefined;

function removeCopy(): void {
  if (copy !== undefined) rmSync(copy.dir, { recursive: true, force: true });
  copy = undefined;
}

// This module is evaluated once per test file (vitest isolates files): the copy is made
// for the file's first test that needs it and removed after the file's last test.
afterAll(removeCopy);
process.once('exit', removeCopy);

/** The cli.js that other users (nobody, via setpriv) can run: a copy, made once per test file. */
export function cliForOthers(): string {
  copy ??= copyCli();
  return copy.cli;
}
