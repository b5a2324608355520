// The lab the demo builds, in one place, so that the script, the watchdog's command
// line and the printed explanation can never describe different networks.
import { formatDuration } from '../core/duration.js';

/** Source interfaces: veth pairs; the demo cuts the carrier by setting the far end down. */
export const UPLINKS = ['up0', 'up1'] as const;
/** Destinations, named the way keepalived names its VMAC interfaces (vrrp.<VRID>). */
export const DESTINATIONS = ['vrrp.51', 'vrrp.52'] as const;
/** The bridge the macvlans sit on: macvlans need a lower device that exists and is up. */
export const BRIDGE = 'br0';
/** Short enough to show flap damping at work, long enough to outlast a 100 ms flap. */
export const DOWN_DELAY_MS = 300;
/** One second: long enough that the wait is visible in the timeline. */
export const UP_DELAY_MS = 1000;
export const FLAP_MS = 100;
export const FLAPS = 3;

/** The far ("switch") end of an uplink's veth pair: its admin state is the uplink's carrier. */
export const peerOf = (uplink: string): string => `sw-${uplink}`;

export const namespaceName = (pid: number = process.pid): string => `ifdepd-demo-${pid}`;

/** ifdepd's own command line, as an operator would type it. */
export function watchdogArgs(): string[] {
  return [
    '-v',
    '-S',
    UPLINKS.join(':'),
    '-D',
    DESTINATIONS.join(':'),
    '--down-delay',
    `${DOWN_DELAY_MS}ms`,
    '--up-delay',
    UP_DELAY_MS % 1000 === 0 ? `${UP_DELAY_MS / 1000}s` : `${UP_DELAY_MS}ms`,
  ];
}

export const delayText = (ms: number): string => (ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : formatDuration(ms));
