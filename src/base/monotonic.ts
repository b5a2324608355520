/**
 * The monotonic clock in milliseconds (with microseconds): what ifdepd measures every delay,
 * timeout and event stamp on. CLOCK_MONOTONIC, through uv_hrtime: a wall-clock step (NTP, an
 * operator's `date`) cannot shorten or stretch a delay, and the values are the kernel's and
 * systemd's own (MONOTONIC_USEC), comparable with the journal's monotonic stamps. Not
 * performance.now(): the `performance` global loads perf_hooks and its nine modules (0.9 MiB
 * resident, issue 21) for this one number.
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}
