import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Every metric ifdepd exports, named by Prometheus's conventions: the `ifdepd_` prefix,
 * base units (seconds), `_total` on counters. Label sets are bounded by the configuration:
 * per group (at most 128), per source of a group, and per destination interface, which is
 * the one set that grows with a glob: 5 series per destination (ifdepd.8, METRICS).
 */
export function metricFamilies(registry: Registry) {
  const registers = [registry];
  const group = ['group'] as const;
  const source = ['group', 'source', 'kind'] as const;
  const destination = ['destination', 'action'] as const;
  return {
    groupHealthy: new Gauge({ name: 'ifdepd_group_healthy', help: "1 while the group's sources satisfy its policy", labelNames: group, registers }),
    groupUp: new Gauge({ name: 'ifdepd_group_up', help: "The group's decision: 1 up (destinations let up), 0 down", labelNames: group, registers }),
    groupHeld: new Gauge({ name: 'ifdepd_group_held', help: '1 while an operator hold or the start-up hold decides for the group', labelNames: group, registers }),
    groupSuppressed: new Gauge({ name: 'ifdepd_group_damping_suppressed', help: '1 while flap damping holds the group down', labelNames: group, registers }),
    groupPenalty: new Gauge({ name: 'ifdepd_group_damping_penalty', help: "The group's flap-damping penalty (0 without damping)", labelNames: group, registers }),
    groupTransitions: new Counter({
      name: 'ifdepd_group_transitions_total',
      help: "Changes of the group's decision, by the direction taken",
      labelNames: ['group', 'direction'] as const,
      registers,
    }),
    groupSinceTransition: new Gauge({
      name: 'ifdepd_group_last_transition_age_seconds',
      help: "Seconds since the group's decision last changed (absent before the first change)",
      labelNames: group,
      registers,
    }),
    sourceHealthy: new Gauge({ name: 'ifdepd_source_healthy', help: '1 while the source is healthy (an interface: carrier, operstate up)', labelNames: source, registers }),
    sourceFlaps: new Counter({ name: 'ifdepd_source_flaps_total', help: 'Times the source went from healthy to unhealthy', labelNames: source, registers }),
    destinationUp: new Gauge({
      name: 'ifdepd_destination_up',
      help: 'The destination as the kernel last reported it: 1 up, 0 down or missing',
      labelNames: destination,
      registers,
    }),
    destinationWantedUp: new Gauge({ name: 'ifdepd_destination_wanted_up', help: 'What ifdepd wants the destination to be: 1 up, 0 down', labelNames: destination, registers }),
    destinationFailing: new Gauge({ name: 'ifdepd_destination_failing', help: '1 while writes to the destination keep failing', labelNames: destination, registers }),
    destinationWriteFailures: new Counter({ name: 'ifdepd_destination_write_failures_total', help: 'Writes to the destination that failed', labelNames: destination, registers }),
    destinationConfirmation: new Gauge({
      name: 'ifdepd_destination_confirmation_seconds',
      help: "Seconds from ifdepd's last write to the destination to the kernel's report of it",
      labelNames: destination,
      registers,
    }),
    reaction: new Histogram({
      name: 'ifdepd_reaction_seconds',
      help: "From a group's decision (the source's event itself without a delay) to the last of its destinations confirmed by the kernel",
      labelNames: group,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    overruns: new Counter({ name: 'ifdepd_netlink_overruns_total', help: 'Kernel notifications lost (receive queue overrun): every link was read again', registers }),
    rereads: new Counter({ name: 'ifdepd_link_rereads_total', help: 'Times every link was read again, by why', labelNames: ['why'] as const, registers }),
    reloads: new Counter({ name: 'ifdepd_config_reloads_total', help: 'Configuration reloads, by result (ok, refused)', labelNames: ['result'] as const, registers }),
    hookRuns: new Counter({ name: 'ifdepd_hook_runs_total', help: 'Hook runs, by result (ok, failed, timeout)', labelNames: ['group', 'result'] as const, registers }),
    build: new Gauge({ name: 'ifdepd_build_info', help: 'Always 1: the running version', labelNames: ['version'] as const, registers }),
  };
}

export type MetricFamilies = ReturnType<typeof metricFamilies>;
