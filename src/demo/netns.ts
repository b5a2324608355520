// The throw-away network namespace: everything the demo changes lives in it, so
// deleting it removes every interface, and nothing on the host is touched: each
// command goes through `ip -n NS`.
import { execFileSync, spawnSync } from 'node:child_process';
import { BRIDGE, DESTINATIONS, UPLINKS, namespaceName, peerOf } from './topology.js';

export class DemoNetns {
  private deleted = false;

  private constructor(readonly name: string) {}

  /** Creates the namespace; throws with ip's own words if it cannot (e.g. it exists). */
  static create(name: string = namespaceName()): DemoNetns {
    run(['netns', 'add', name]);
    const ns = new DemoNetns(name);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** `ip -n NS <args>`. */
  ip(...args: string[]): void {
    run(['-n', this.name, ...args]);
  }

  /** Uplinks with carrier, and destinations admin up: the healthy steady state. */
  build(): void {
    for (const uplink of UPLINKS) {
      this.ip('link', 'add', uplink, 'type', 'veth', 'peer', 'name', peerOf(uplink));
      this.ip('link', 'set', uplink, 'up');
      this.ip('link', 'set', peerOf(uplink), 'up');
    }
    this.ip('link', 'add', BRIDGE, 'type', 'bridge');
    this.ip('link', 'set', BRIDGE, 'up');
    for (const dest of DESTINATIONS) {
      this.ip('link', 'add', 'link', BRIDGE, 'name', dest, 'up', 'type', 'macvlan', 'mode', 'bridge');
    }
  }

  /** The command line that cuts an uplink's carrier, for the timeline. */
  cutCommand(uplink: string): string[] {
    return ['link', 'set', peerOf(uplink), 'down'];
  }

  restoreCommand(uplink: string): string[] {
    return ['link', 'set', peerOf(uplink), 'up'];
  }

  /** Processes living in the namespace: only ever ours (ifdepd under `ip netns exec`, ip monitor). */
  pids(): number[] {
    const r = spawnSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8' });
    return (r.stdout ?? '').split(/\s+/).filter(Boolean).map(Number);
  }

  /** Kills what is left inside, then deletes the namespace and with it every interface. Idempotent. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
  }
}

function run(args: readonly string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')}: ${stderr || (err as Error).message}`);
  }
}
