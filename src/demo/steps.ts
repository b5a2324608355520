// The script: what the demo does to the lab, what ifdepd should do about it, and what
// the kernel says it did. Every verdict comes from the kernel's witness, not ifdepd's log.
import { sleep, wallNow } from './clock.js';
import type { DemoSession } from './session.js';
import { DESTINATIONS, UPLINKS, DOWN_DELAY_MS, FLAPS, FLAP_MS, UP_DELAY_MS, delayText } from './topology.js';

export interface Outcome {
  readonly ok: boolean;
  readonly observed: string;
  /** From the kernel's report of the action to the last destination's change. */
  readonly reactionMs?: number;
}

export interface Step {
  readonly title: string;
  /** Short, for the summary. */
  readonly action: string;
  readonly expected: string;
  run(s: DemoSession): Promise<Outcome>;
}

/** Time for the kernel to report what `ip` just did. */
const KERNEL_TIMEOUT_MS = 2000;
/** Slack on top of a delay before a reaction counts as missing. */
const REACTION_SLACK_MS = 3000;
/** Lets ifdepd's last lines about a change (its confirmation) reach the timeline. */
const SETTLE_MS = 150;
/**
 * How late the kernel's witness may stamp an event: `ip -ts monitor` reads the notification
 * in user space and stamps it then, so on a loaded machine it can stamp the carrier change
 * after ifdepd has heard of it (seen: 5 ms), and ifdepd's delay then looks short by as much.
 */
const WITNESS_LAG_MS = 25;

const DESTS = DESTINATIONS.join(',');
const state = (on: boolean): string => (on ? 'up' : 'down');
const ms = (value: number): string => `${value.toFixed(1)} ms`;

const fail = (observed: string): Outcome => ({ ok: false, observed });

/** Nothing happens to the sources, so nothing may happen to the destinations. */
function steady(watchMs: number): Step {
  return {
    title: `steady state: both uplinks have carrier, watch for ${delayText(watchMs)}`,
    action: 'nothing (steady state)',
    expected: `${DESTS} stay up`,
    async run(s) {
      const since = wallNow();
      await sleep(watchMs);
      const changes = s.destinationChanges(since);
      if (changes.length > 0) return fail(`${changes.length} unexpected change(s)`);
      s.timeline.conclude(`no destination changed: ${DESTS} stay up`);
      return { ok: true, observed: 'no change' };
    },
  };
}

/** Changes an uplink's carrier; the destinations follow after the matching delay. */
function carrier(uplink: string, on: boolean): Step {
  const delay = on ? UP_DELAY_MS : DOWN_DELAY_MS;
  const delayName = on ? 'up-delay' : 'down-delay';
  const verb = on ? 'restore' : 'cut';
  return {
    title: `${verb} ${uplink}'s carrier: destinations go ${state(on)} after the ${delayName} (${delayText(delay)})`,
    action: `${verb} ${uplink} carrier`,
    expected: `${state(on)} after ${delayText(delay)} ${delayName}`,
    async run(s) {
      const issued = s.act(`${verb} ${uplink} carrier`, on ? s.netns.restoreCommand(uplink) : s.netns.cutCommand(uplink));
      const seen = await s.kernelSaw(uplink, on, issued, KERNEL_TIMEOUT_MS);
      if (seen === undefined) return fail(`the kernel did not report ${uplink}'s carrier change`);
      s.timeline.measureFrom(seen);
      return await destinationsFollow(s, on, seen, delay, `${uplink} ${on ? 'got its carrier back' : 'lost carrier'}`);
    },
  };
}

/** Waits for every destination to reach `on`, and says how long after `from` the last one did. */
async function destinationsFollow(s: DemoSession, on: boolean, from: number, delay: number, cause: string): Promise<Outcome> {
  const reached = await s.destinationsReach(on, from, delay + REACTION_SLACK_MS);
  await sleep(SETTLE_MS);
  const missing = DESTINATIONS.filter((name) => !reached.has(name));
  if (missing.length > 0) {
    s.timeline.conclude(`FAILED: ${missing.join(',')} not ${state(on)} ${delayText(delay + REACTION_SLACK_MS)} after ${cause}`);
    return fail(`${missing.join(',')} not ${state(on)}`);
  }
  const reaction = Math.max(...reached.values()) - from;
  // ifdepd starts its timer when it hears of the change, after the kernel sent it.
  const early = reaction < delay - WITNESS_LAG_MS;
  s.timeline.conclude(
    `${DESTS} ${state(on)} ${ms(reaction)} after ${cause}` +
      (early ? `: EARLIER than the ${delayText(delay)} delay` : ` (delay ${delayText(delay)} ${overDelay(reaction - delay)})`),
  );
  return { ok: !early, observed: `${DESTS} ${state(on)}`, reactionMs: reaction };
}

/** "+ 8.3 ms", or "- 1.1 ms: the witness stamped the cause late" (see WITNESS_LAG_MS). */
function overDelay(over: number): string {
  return over >= 0 ? `+ ${ms(over)}` : `- ${ms(-over)}: the witness stamped the cause late`;
}

/** Carrier losses shorter than the down-delay: ifdepd must not touch the destinations. */
function flaps(uplink: string): Step {
  const watchMs = DOWN_DELAY_MS + UP_DELAY_MS + 500;
  return {
    title: `flap ${uplink} ${FLAPS} times, ${FLAP_MS} ms each (shorter than the ${delayText(DOWN_DELAY_MS)} down-delay): swallowed`,
    action: `flap ${uplink} ${FLAPS} x ${FLAP_MS} ms`,
    expected: 'no change (flaps swallowed)',
    async run(s) {
      const since = wallNow();
      const batch = s.batch();
      for (let i = 1; i <= FLAPS; i++) {
        s.act(`flap ${i}/${FLAPS}: cut ${uplink} carrier`, s.netns.cutCommand(uplink), batch);
        await sleep(FLAP_MS);
        s.act(`flap ${i}/${FLAPS}: restore ${uplink} carrier`, s.netns.restoreCommand(uplink), batch);
        await sleep(2 * FLAP_MS);
      }
      await batch.close();
      const first = await s.kernelSaw(uplink, false, since, KERNEL_TIMEOUT_MS);
      if (first !== undefined) s.timeline.measureFrom(first);
      await sleep(watchMs);
      const changes = s.destinationChanges(since);
      const ignored = s.watchdog?.count(/flap ignored/, since) ?? 0;
      const lasted = outages(s, uplink, since);
      if (changes.length > 0) {
        s.timeline.conclude(`FAILED: ${changes.length} destination change(s) during the flaps`);
        return fail(`${changes.length} destination change(s)`);
      }
      // A busy kernel can run the commands late and back to back: then there was no flap to swallow.
      const lost = lasted.filter((t) => t < DOWN_DELAY_MS).length;
      if (lost < FLAPS) {
        const seen = lasted.map((t) => `${Math.round(t)} ms`).join(', ') || 'none';
        s.timeline.conclude(`INCONCLUSIVE: the kernel reported ${lost} of ${FLAPS} short carrier losses (seen: ${seen})`);
        return fail(`only ${lost} of ${FLAPS} flaps happened`);
      }
      const durations = lasted.map((t) => Math.round(t)).join(', ');
      s.timeline.conclude(
        `no destination changed in ${delayText(watchMs)}; ${uplink} lost carrier for ${durations} ms; ifdepd ignored ${ignored} flap(s)`,
      );
      return { ok: true, observed: `no change, ${ignored} flaps ignored` };
    },
  };
}

/** How long each carrier loss of `uplink` from `since` lasted, by the kernel's clock. */
function outages(s: DemoSession, uplink: string, since: number): number[] {
  const lasted: number[] = [];
  let lostAt: number | undefined;
  for (const e of s.monitor.of(uplink, since)) {
    if (!e.on) lostAt = e.t;
    else if (lostAt !== undefined) lasted.push(e.t - lostAt);
  }
  return lasted;
}

/** Someone (a script, an operator, keepalived itself) raises a destination ifdepd holds down. */
function forcedBack(dest: string): Step {
  return {
    title: `set ${dest} up behind ifdepd's back while the uplink is down: it is forced back down`,
    action: `set ${dest} up by hand`,
    expected: 'forced back down',
    async run(s) {
      const issued = s.act(`set ${dest} up behind ifdepd's back`, ['link', 'set', dest, 'up']);
      const seen = await s.kernelSaw(dest, true, issued, KERNEL_TIMEOUT_MS);
      if (seen === undefined) return fail(`the kernel did not report ${dest} up`);
      s.timeline.measureFrom(seen);
      const down = await s.kernelSaw(dest, false, seen, REACTION_SLACK_MS);
      await sleep(SETTLE_MS);
      if (down === undefined) {
        s.timeline.conclude(`FAILED: ${dest} stayed up`);
        return fail(`${dest} stayed up`);
      }
      s.timeline.conclude(`${dest} forced back down ${ms(down - seen)} after it came up`);
      return { ok: true, observed: `${dest} down again`, reactionMs: down - seen };
    },
  };
}

/** The whole script, in order: each step starts from the state the previous one left. */
export function script(): Step[] {
  const uplink = UPLINKS[0];
  return [
    steady(1000),
    carrier(uplink, false),
    carrier(uplink, true),
    flaps(uplink),
    carrier(uplink, false),
    forcedBack(DESTINATIONS[0]),
    carrier(uplink, true),
  ];
}
