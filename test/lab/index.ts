// The lab library of the integration, fault and end-to-end tests, one concern a file:
//   wait.ts        polling with deadlines, sleep, isAlive
//   proc.ts        Proc: a started program, its output as timed lines, optional log file
//   process-group.ts  the live members of a process group, from /proc
//   namespaces.ts  namespace lifecycle: unique names, ip -n, exec inside, destroy
//   links.ts       interfaces as `ip -j link` shows them, admin state, monitor lines
//   monitor.ts     `ip monitor` with a baseline: only what follows it counts
//   recorder.ts    AdminRecorder, LinkRecorder: admin/protodown changes after the baseline
//   netns.ts       Netns, Lab: one namespace, veth sources, macvlan destinations, the -S/-D daemon
//   grouplab.ts    the -f FILE daemon's lab, its control socket
//   halab.ts       the keepalived HA pair (keepalived.ts: contrib/keepalived's two recipes)
//   paths.ts, cli.ts  the built CLI, run to completion; others.ts: its copy for other users
//   ifdepd-monitor.ts  `ifdepd monitor` running: its lines and JSON events
// Import the topology labs (grouplab, halab, keepalived) by path; the rest from here.
export { cli, cliFor, CLI, CONTRIB, FIXTURES, labSkipReason, NOBODY, type CliOptions, type CliResult } from './cli.js';
export { adminOf, type Admin, type IpLink } from './links.js';
export { Namespaces, uniqueName, type ExecOptions } from './namespaces.js';
export { describeLab, eachLab, Lab, Netns, perTest, STARTED, type RunOptions } from './netns.js';
export { cliForOthers } from './others.js';
export { processGroupMembers } from './process-group.js';
export { Proc, type Exit, type LogLine } from './proc.js';
export { AdminRecorder, LinkRecorder, type AdminEvent, type LinkEvent, type RecorderOptions } from './recorder.js';
export { isAlive, sleep, waitFor, type WaitOptions } from './wait.js';
