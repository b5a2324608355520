// `ifdepd demo`: shows, on a lab that exists only for the run, what ifdepd does when
// uplinks fail, recover and flap, as the kernel saw it, with reaction times.
import { EX_NOPERM, EX_OK, EX_UNAVAILABLE, Fatal, InfoExit } from '../base/sysexits.js';
import { VERSION } from '../base/version.js';
import { parseDemoArgs, type DemoArgs } from './args.js';
import { guard } from './cleanup.js';
import { wallNow } from './clock.js';
import { DemoNetns } from './netns.js';
import { privilegeProblem, toolProblem } from './privilege.js';
import { DemoSession } from './session.js';
import { script } from './steps.js';
import { formatSummary, type Row } from './summary.js';
import { bold, red } from './style.js';
import { BRIDGE, DESTINATIONS, UPLINKS, peerOf } from './topology.js';

/** The demo ran, but ifdepd did not do what it should have (or the lab failed). */
const EX_NOT_AS_EXPECTED = 1;

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

/** Returns the exit code: 0 all as expected, 1 not, 64 usage, 69 no ip, 77 not root. */
export async function runDemo(argv: readonly string[]): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(argv);
  } catch (e) {
    if (e instanceof InfoExit) return (out(e.text.trimEnd()), EX_OK);
    if (e instanceof Fatal) return (err(`ifdepd ${e.message}`), e.exitCode);
    throw e;
  }
  const denied = privilegeProblem();
  if (denied !== undefined) return (err(denied), EX_NOPERM);
  const noTool = toolProblem();
  if (noTool !== undefined) return (err(noTool), EX_UNAVAILABLE);
  return await demo(args);
}

async function demo(args: DemoArgs): Promise<number> {
  const t0 = wallNow();
  let netns: DemoNetns;
  try {
    netns = DemoNetns.create();
  } catch (e) {
    return (err(`ifdepd demo: cannot create the lab: ${(e as Error).message}`), EX_NOT_AS_EXPECTED);
  }
  let session: DemoSession | undefined;
  // Until the run ends normally, any way out removes the lab.
  const protection = guard((why) => {
    // What was seen so far is still worth showing: it may say why the run was stopped.
    session?.timeline.flush();
    if (session !== undefined) session.abort(args.keep);
    else if (!args.keep) netns.delete();
    err(`ifdepd demo: ${why === 'exit' ? 'stopped' : `interrupted (${why})`}; ${afterword(netns.name, args.keep)}`);
  });
  try {
    session = await DemoSession.open(netns, t0);
    introduce(netns.name);
    const rows = await play(session);
    await session.close(args.keep);
    protection.release();
    for (const line of formatSummary(rows)) out(line);
    if (args.keep) out(afterword(netns.name, true));
    return rows.every((r) => r.outcome.ok) ? EX_OK : EX_NOT_AS_EXPECTED;
  } catch (e) {
    session?.timeline.flush();
    protection.release();
    session?.abort(args.keep);
    if (session === undefined && !args.keep) netns.delete();
    err(red(`ifdepd demo: ${(e as Error).message}; ${afterword(netns.name, args.keep)}`));
    return EX_NOT_AS_EXPECTED;
  }
}

function introduce(ns: string): void {
  out(bold(`ifdepd ${VERSION} demo, in network namespace ${ns}`));
  out(`  sources:      ${UPLINKS.map((u) => `${u} (veth; the demo cuts its carrier at the far end, ${peerOf(u)})`).join(', ')}`);
  out(`  destinations: ${DESTINATIONS.join(', ')} (macvlans on bridge ${BRIDGE}, named like keepalived's VMACs)`);
  out('  witnesses:    demo = what this script did; kernel = `ip monitor link`; ifdepd = its log (stderr)');
}

/** Plays the script; a step that fails is recorded and the next one still runs. */
async function play(s: DemoSession): Promise<Row[]> {
  s.timeline.plain('');
  s.timeline.header();
  s.timeline.heading('0. start ifdepd');
  await s.startWatchdog();
  const rows: Row[] = [];
  const steps = script();
  for (const [i, step] of steps.entries()) {
    s.timeline.heading(`${i + 1}. ${step.title}`);
    rows.push({ step, outcome: await step.run(s) });
  }
  s.timeline.heading(`${steps.length + 1}. stop ifdepd (SIGTERM)`);
  s.timeline.add({ t: wallNow(), who: 'demo', text: 'stop ifdepd: kill -TERM' });
  const status = await s.watchdog?.stop();
  s.timeline.conclude(`ifdepd exited with status ${status?.code ?? status?.signal}; the destinations stay as they are`);
  out();
  return rows;
}

function afterword(ns: string, keep: boolean): string {
  return keep
    ? `namespace ${ns} kept: inspect it with \`ip -n ${ns} link\`, remove it with \`ip netns del ${ns}\``
    : `namespace ${ns} removed`;
}
