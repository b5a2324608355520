import { spawnSync } from 'node:child_process';
import { CAP_NET_ADMIN, hasCapability } from '../base/capabilities.js';

/** capability.h: `ip netns add` mounts and unshares, which takes CAP_SYS_ADMIN. */
const CAP_SYS_ADMIN = 21;

/** Why the demo cannot build its lab here, or undefined. Checked first: a half-built lab helps no one. */
export function privilegeProblem(): string | undefined {
  if (!hasCapability(CAP_NET_ADMIN) || !hasCapability(CAP_SYS_ADMIN)) {
    return 'ifdepd demo builds network namespaces: run it as root';
  }
  return undefined;
}

/** The demo drives iproute2's `ip`, as an operator would. */
export function toolProblem(): string | undefined {
  const r = spawnSync('ip', ['-V'], { stdio: 'ignore' });
  if (r.error !== undefined || r.status !== 0) return "ifdepd demo needs iproute2's ip command";
  return undefined;
}
