// Shared by the .deb build: run a command or stop with one clear line.
import { spawnSync } from 'node:child_process';

export const TAG = 'ifdepd deb:';

/** A reason to stop the build; build.mjs prints it as one line and exits 1, after cleaning up. */
export class BuildError extends Error {}

export function fail(message) {
  throw new BuildError(message);
}

export function note(message) {
  console.log(`${TAG} ${message}`);
}

/**
 * Runs a command and returns its stdout; on failure stops the build with the last
 * lines of its output and `what` as the reason.
 */
export function run(cmd, args, { what, ...opts } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) fail(`${what ?? cmd}: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const log = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd().split('\n').slice(-20).join('\n');
    if (log) console.error(log);
    fail(`${what ?? cmd} failed (${cmd} exit ${r.status ?? r.signal})`);
  }
  return r.stdout ?? '';
}

/** Whether a command can be started at all (it exists in PATH). */
export function have(cmd, args = ['--version']) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).error === undefined;
}

/**
 * The environment of a fresh shell. Under `npm run deb`, npm exports npm_config_*
 * and npm_package_* of this project, which would steer the npm we start in the
 * staging copy (e.g. its prefix or omit list).
 */
export function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  return { ...env, ...extra };
}
