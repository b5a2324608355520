import { untrustedProgram } from '../base/trusted-path.js';
import { EX_UNAVAILABLE, Fatal } from '../base/sysexits.js';

/**
 * Where Debian and its kin install iputils ping. $PATH is never searched: root runs the
 * tool, and whoever can put a `ping` earlier in the daemon's $PATH would run as root.
 */
export const PING_PATHS: readonly string[] = ['/usr/bin/ping', '/bin/ping'];

/**
 * Finds iputils ping at fixed paths and checks it as root checks any program it runs
 * (untrustedProgram); throws a Fatal (EX_UNAVAILABLE) naming the package if none fits.
 */
export function findPingTool(candidates: readonly string[] = PING_PATHS): string {
  const problems: string[] = [];
  for (const path of candidates) {
    const problem = untrustedProgram(path);
    if (problem === undefined) return path;
    problems.push(problem);
  }
  throw new Fatal(`ping sources need iputils ping: ${problems.join('; ') || 'no place to look'} (apt install iputils-ping)`, EX_UNAVAILABLE);
}
