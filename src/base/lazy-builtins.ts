import type * as ChildProcessModule from 'node:child_process';
import { createRequire } from 'node:module';
import type * as NetModule from 'node:net';

const load = createRequire(import.meta.url);

/*
 * Node built-ins that only some configurations use, loaded when first asked for: with
 * node:child_process Node also loads net, dgram and its streams (~2 MiB resident, ~5 ms),
 * which a -S/-D daemon never needs (a control socket's listener loads net, and through
 * node:cluster child_process, whatever this file does). An action that
 * runs on a failover's path asks for its module when the configuration that has it is
 * taken in (at start or a reload), so that the loading never falls on a failover.
 * Node's module cache makes every later call a lookup.
 */

/** node:child_process: hooks and ping probes. */
export const childProcess = (): typeof ChildProcessModule => load('node:child_process') as typeof ChildProcessModule;

/** node:net: FRR's vtysh sockets, listen addresses. */
export const net = (): typeof NetModule => load('node:net') as typeof NetModule;
