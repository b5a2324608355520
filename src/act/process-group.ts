/**
 * The process group a hook leads (spawned detached: its own session and group), signalled
 * as a whole so that what the hook started goes with it, even once the hook itself is gone.
 *
 * A group id is its leader's pid. The kernel never hands out a pid still in use as a group
 * id, so while the group has members a signal to it reaches only them. Once the leader is
 * reaped and the group is empty, its number is free: a process that now has that pid is
 * somebody else, and its group is never signalled.
 */
export class ProcessGroup {
  private reaped = false;

  constructor(readonly id: number) {}

  /** The leader exited and Node reaped it: its pid may be reused from now on. */
  leaderReaped(): void {
    this.reaped = true;
  }

  /** Whether any process is left in the group. */
  get alive(): boolean {
    if (this.reaped && exists(this.id)) return false;
    return exists(-this.id);
  }

  /** Signals every process of the group; false if none was left. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.alive) return false;
    try {
      process.kill(-this.id, signal);
      return true;
    } catch {
      return false; // emptied in the meantime
    }
  }
}

/** kill(2) with signal 0: a pid (or, negative, a process group) exists. */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours to signal (a hook that changed its uid).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
