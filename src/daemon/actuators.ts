import { AtomicMembership } from '../act/atomic-group.js';
import { atomicAction } from '../act/atomic-switch.js';
import type { Actuator } from '../act/actuator.js';
import { FrrVrrp } from '../act/frr-vrrp.js';
import { GroupActions } from '../act/group-actions.js';
import { HookRunner } from '../act/hooks.js';
import { adminAction, type InterfaceAction } from '../act/interface-action.js';
import { protodownAction } from '../act/protodown-action.js';
import { InterfaceActuator } from '../act/interface-actuator.js';
import { TrackFile } from '../act/track-file.js';
import type { Scheduler } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { Group } from '../core/group.js';
import type { KernelPort } from '../core/kernel-port.js';
import type { LinkTable } from '../core/link-table.js';
import { DEFAULT_PROTODOWN_REASON } from '../core/protodown-reason.js';
import { describeFrrVrrp, type ActionSpec, type Config, type FrrVrrpAction } from '../core/spec.js';
import type { FrrVrrpStatus, TrackFileStatus } from '../core/status.js';
import { kernelHasProtoDownReasons } from '../kernel/proto-down-reason.js';
import type { IfIndex } from '../core/types.js';
import { wantedState } from '../core/wanted.js';
import type { Logger } from '../logging/logger.js';
import type { FaultReport } from '../base/errors.js';

/** The keepalived track file of every group whose action is `keepalived-track-file`. */
export type TrackFiles = GroupActions<TrackFileStatus, Extract<ActionSpec, { kind: 'track-file' }>, TrackFile>;
/** The FRR VRRP instance of every group whose action is `frr-vrrp`. */
export type FrrVrrps = GroupActions<FrrVrrpStatus, FrrVrrpAction, FrrVrrp>;

export interface ActuatorDeps {
  readonly groups: () => readonly Group[];
  readonly links: LinkTable;
  /** Where writes go; nothing is written with dryRun. */
  readonly kernel: KernelPort;
  readonly log: Logger;
  readonly events: EventSink;
  readonly dryRun: boolean;
  readonly scheduler: Scheduler;
  /** Timers of their own for each component, so that a fault names it. */
  readonly timersOf: (component: string) => Scheduler;
  readonly verify: (index: IfIndex) => Promise<void>;
  readonly fault: FaultReport;
  /** ifdepd's protodown reason bit; undefined: plain protodown (a kernel without reasons). */
  readonly protodownReason: number | undefined;
}

export interface Actuators {
  /** Every actuator, in the order each hears of every decision. */
  readonly all: readonly Actuator[];
  readonly interfaces: readonly InterfaceActuator[];
  readonly trackFiles: TrackFiles;
  readonly frrVrrp: FrrVrrps;
  readonly atomic: AtomicMembership;
}

/** Each actuator is chosen here, once. Membership first: a destination joins its kernel group before the group is switched. */
export function wireActuators(d: ActuatorDeps): Actuators {
  const { links, log, dryRun, scheduler } = d;
  const kernel = (): KernelPort => d.kernel;
  const deps = { groups: d.groups, links, log, events: d.events, dryRun, verify: d.verify, fault: d.fault };
  const atomic = new AtomicMembership({ links, kernel, log, dryRun });
  const wanted = (a: InterfaceAction) => (name: string) => wantedState(name, a.kind, d.groups(), scheduler.now());
  const switched = (a: InterfaceAction) => atomicAction(a, { membership: atomic, kernel, links, wanted: wanted(a), log });
  const interfaces = [
    new InterfaceActuator(switched(adminAction(kernel)), { ...deps, scheduler: d.timersOf('admin enforcer') }),
    new InterfaceActuator(switched(protodownAction(kernel, links, d.protodownReason)), { ...deps, scheduler: d.timersOf('protodown enforcer') }),
  ];
  const fileTimers = d.timersOf('track files');
  const trackFiles: TrackFiles = new GroupActions(d.groups, {
    of: (a) => (a.kind === 'track-file' ? a : undefined),
    key: (a) => a.path,
    create: (a, group) => new TrackFile(a.path, group, log, dryRun, fileTimers, d.events),
  });
  const frrTimers = d.timersOf('frr-vrrp');
  const frrVrrp: FrrVrrps = new GroupActions(d.groups, {
    of: (a) => (a.kind === 'frr-vrrp' ? a : undefined),
    key: describeFrrVrrp,
    create: (a, group) => new FrrVrrp(a, group, log, dryRun, frrTimers),
  });
  return { all: [atomic, ...interfaces, trackFiles, frrVrrp, new HookRunner(log, links, dryRun, d.events, d.groups)], interfaces, trackFiles, frrVrrp, atomic };
}

/**
 * ifdepd's protodown reason bit, or undefined on a kernel without reasons (before 5.10),
 * which is said once, at start, if a group uses protodown: plain protodown there can be
 * cleared by, and blocks, every other program that uses protodown.
 */
export function ownReasonBit(config: Config, kernelRelease: string, log: Logger): number | undefined {
  if (kernelHasProtoDownReasons(kernelRelease)) return config.protodownReason ?? DEFAULT_PROTODOWN_REASON;
  if (config.groups.some((g) => g.action.kind === 'protodown')) {
    log.notice(`protodown: kernel ${kernelRelease} has no protodown reasons (5.10 or later); using plain protodown, which other programs can clear`);
  }
  return undefined;
}
