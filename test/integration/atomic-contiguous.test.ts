// `--atomic`: 64 macvlan destinations go admin down in ONE kernel request, so an independent
// listener (`ip monitor link`, its own netlink socket) sees their 64 changes contiguous while
// another process hammers an unrelated veth with changes. The same run without --atomic
// shows the hammer's changes in between (one request per destination, each taking rtnl
// and a ~14 ms RCU grace period): the assertion can fail.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { describeLab, eachLab, Lab, waitFor } from '../lab/index.js';

const COUNT = 64;
const DESTS = Array.from({ length: COUNT }, (_, i) => `d${i}`);

/** Toggles h0 (a veth no group watches) as fast as `ip -batch` can, until killed. */
const HAMMER = `while :; do printf 'link set h0 down\\nlink set h0 up\\n%.0s' $(seq 200) | ip -force -batch - 2>/dev/null; done`;

interface Window {
  /** The lines of the listener from the first destination's down to the last one's. */
  readonly lines: readonly string[];
  /** Those lines about interfaces that are not destinations. */
  readonly strangers: readonly string[];
}

const nameOf = (line: string): string | undefined => /^(?:Deleted )?\d+: ([^:@\s]+)/.exec(line)?.[1];
const isDown = (line: string): boolean => !/[<,]UP[,>]/.test(line);

/** Where the destinations' admin-down notifications lie in the listener's stream, and what came in between. */
function downWindow(lines: readonly string[]): Window | undefined {
  const dests = new Set(DESTS);
  const firstDown = new Map<string, number>();
  lines.forEach((line, i) => {
    const name = nameOf(line);
    if (name !== undefined && dests.has(name) && isDown(line) && !firstDown.has(name)) firstDown.set(name, i);
  });
  if (firstDown.size < COUNT) return undefined;
  const at = [...firstDown.values()];
  const window = lines.slice(Math.min(...at), Math.max(...at) + 1);
  return { lines: window, strangers: window.filter((l) => !dests.has(nameOf(l) ?? '')) };
}

async function run(lab: Lab, atomic: boolean): Promise<Window & { log: string }> {
  lab.ip('link', 'add', 's0', 'index', '20', 'type', 'veth', 'peer', 'name', 's0p', 'index', '21');
  lab.ip('link', 'add', 'h0', 'type', 'veth', 'peer', 'name', 'h0p');
  lab.batch([
    'link set s0 up',
    'link set s0p up',
    'link set h0p up',
    'link add br0 type bridge',
    'link set br0 up',
    ...DESTS.map((d) => `link add link br0 name ${d} up type macvlan mode bridge`),
  ]);
  const d = await lab.daemon(['-v', '-S', 's0', '-D', DESTS.join(':'), ...(atomic ? ['--atomic'] : [])]);
  const listener = spawn('ip', ['-n', lab.ns, '-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
  lab.track(listener);
  let text = '';
  listener.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const hammer = lab.exec(['sh', '-c', HAMMER]);
  try {
    // The listener listens, and the hammer hammers: it has reported h0 flips.
    await waitFor('the listener to report the hammer', () => (text.match(/: h0[@:]/g)?.length ?? 0) >= 20, { timeout: 10_000 });
    lab.cutCarrier('s0');
    await lab.waitAdmin(DESTS, 'down', 15_000, d);
    const window = await waitFor('the listener to report all 64 destinations down', () => downWindow(text.split('\n')), {
      timeout: 10_000,
      context: () => `${d.tail()}\n${text.split('\n').slice(-50).join('\n')}`,
    });
    // The hammer was still at work after the last destination went down.
    const reported = text.length;
    await waitFor('the hammer to go on after the switch', () => /: h0[@:]/.test(text.slice(reported)), { timeout: 10_000 });
    return { ...window, log: d.lines().join('\n') };
  } finally {
    hammer.signal('SIGKILL');
    listener.kill('SIGKILL');
  }
}

describeLab('atomic switching of 64 destinations', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  it('with --atomic: the 64 admin-down notifications are contiguous, the hammer never in between', async () => {
    const window = await run(lab, true);
    expect(window.log).toMatch(/default: kernel group 64900 switched down in one request/);
    expect(window.strangers, window.lines.join('\n')).toEqual([]);
    expect(lab.run(['ip', '-o', 'link', 'show', 'group', '64900']).trim().split('\n')).toHaveLength(COUNT);
  }, 60_000);

  it('without it: one request per destination, and the hammer gets in between', async () => {
    const window = await run(lab, false);
    expect(window.log).not.toMatch(/kernel group/);
    expect(window.strangers.filter((l) => nameOf(l) === 'h0' || nameOf(l) === 'h0p').length).toBeGreaterThan(0);
  }, 60_000);
});
