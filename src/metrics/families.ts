import type { Registry } from 'prom-client';
import { promClient } from './prom-client-package.js';

const { Counter, Gauge, Histogram } = promClient;

/**
 * Every metric ifdepd exports, named by Prometheus's conventions: the `ifdepd_` prefix,
 * base units (seconds), `_total` on counters. Label sets are bounded by the configuration:
 * per group (at most 128), per source of a group, and per destination interface, which is
 * the one set that grows with a glob: 5 series per destination (ifdepd.8, METRICS).
 */
export function metricFamilies(registry: Registry) {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Counter<L>({ name, help, labelNames, registers });
  const group = ['group'] as const;
  const source = ['group', 'source', 'kind'] as const;
  const destination = ['destination', 'action'] as const;
  return {
    groupHealthy: gauge('ifdepd_group_healthy', "1 while the group's sources satisfy its policy", group),
    groupUp: gauge('ifdepd_group_up', "The group's decision: 1 up (destinations let up), 0 down", group),
    groupHeld: gauge('ifdepd_group_held', '1 while an operator hold or the start-up hold decides for the group', group),
    groupSuppressed: gauge('ifdepd_group_damping_suppressed', '1 while flap damping holds the group down', group),
    groupPenalty: gauge('ifdepd_group_damping_penalty', "The group's flap-damping penalty (0 without damping)", group),
    groupTransitions: counter('ifdepd_group_transitions_total', "Changes of the group's decision, by the direction taken", ['group', 'direction']),
    groupSinceTransition: gauge('ifdepd_group_last_transition_age_seconds', "Seconds since the group's decision last changed (absent before the first change)", group),
    sourceHealthy: gauge('ifdepd_source_healthy', '1 while the source is healthy (an interface: carrier, operstate up)', source),
    sourceFlaps: counter('ifdepd_source_flaps_total', 'Times the source went from healthy to unhealthy', source),
    destinationUp: gauge('ifdepd_destination_up', 'The destination as the kernel last reported it: 1 up, 0 down or missing', destination),
    destinationWantedUp: gauge('ifdepd_destination_wanted_up', 'What ifdepd wants the destination to be: 1 up, 0 down', destination),
    destinationFailing: gauge('ifdepd_destination_failing', '1 while writes to the destination keep failing', destination),
    destinationWriteFailures: counter('ifdepd_destination_write_failures_total', 'Writes to the destination that failed', destination),
    destinationConfirmation: gauge('ifdepd_destination_confirmation_seconds', "Seconds from ifdepd's last write to the destination to the kernel's report of it", destination),
    reaction: new Histogram({
      name: 'ifdepd_reaction_seconds',
      help: "From a group's decision (the source's event itself without a delay) to the last of its destinations confirmed by the kernel",
      labelNames: group,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    overruns: counter('ifdepd_netlink_overruns_total', 'Kernel notifications lost (receive queue overrun): every link was read again'),
    rereads: counter('ifdepd_link_rereads_total', 'Times every link was read again, by why', ['why']),
    reloads: counter('ifdepd_config_reloads_total', 'Configuration reloads, by result (ok, refused)', ['result']),
    hookRuns: counter('ifdepd_hook_runs_total', 'Hook runs, by result (ok, failed, timeout)', ['group', 'result']),
    build: gauge('ifdepd_build_info', 'Always 1: the running version', ['version']),
  };
}

export type MetricFamilies = ReturnType<typeof metricFamilies>;
