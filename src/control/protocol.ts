import { GROUP_NAME } from '../core/spec.js';
import type { Decision } from '../core/types.js';
import type { ControlReply, ControlRequest } from './api.js';

/** A request is a handful of short fields; anything longer is a mistake or an attack. */
export const MAX_REQUEST_BYTES = 4096;

/** The fields each command accepts beyond cmd: anything else is refused, not ignored. */
const FIELDS: Readonly<Record<ControlRequest['cmd'], readonly string[]>> = {
  status: [],
  hold: ['group', 'state'],
  release: ['group'],
  reload: [],
  monitor: ['json'],
};

type Fields = Readonly<Record<string, unknown>>;

/** Parses one request line. Throws Error with a one-line message fit for the reply. */
export function parseRequest(line: string): ControlRequest {
  const fields = parseObject(line);
  const cmd = fields['cmd'];
  if (typeof cmd !== 'string') throw new Error("missing or invalid 'cmd'");
  if (!Object.hasOwn(FIELDS, cmd)) throw new Error(`unknown cmd '${clip(cmd)}'`);
  const known = FIELDS[cmd as ControlRequest['cmd']];
  const extra = Object.keys(fields).find((key) => key !== 'cmd' && !known.includes(key));
  if (extra !== undefined) throw new Error(`unknown field '${clip(extra)}' for cmd '${cmd}'`);
  switch (cmd as ControlRequest['cmd']) {
    case 'status':
      return { cmd: 'status' };
    case 'reload':
      return { cmd: 'reload' };
    case 'release':
      return { cmd: 'release', group: groupOf(fields) };
    case 'hold':
      return { cmd: 'hold', group: groupOf(fields), state: stateOf(fields) };
    case 'monitor':
      return { cmd: 'monitor', json: jsonOf(fields) };
  }
}

export function encodeReply(reply: ControlReply): string {
  return `${JSON.stringify(reply)}\n`;
}

function parseObject(line: string): Fields {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('invalid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('request is not a JSON object');
  }
  return value as Fields;
}

function groupOf(fields: Fields): string {
  const group = fields['group'];
  if (group === undefined) throw new Error("missing 'group'");
  if (typeof group !== 'string' || !GROUP_NAME.test(group)) {
    throw new Error("invalid 'group' (1 to 64 characters of A-Z a-z 0-9 _ . -)");
  }
  return group;
}

function stateOf(fields: Fields): Decision {
  const state = fields['state'];
  if (state === undefined) throw new Error("missing 'state'");
  if (state !== 'up' && state !== 'down') throw new Error("invalid 'state' (up or down)");
  return state;
}

function jsonOf(fields: Fields): boolean {
  const json = fields['json'];
  if (json === undefined) return false;
  if (typeof json !== 'boolean') throw new Error("invalid 'json' (true or false)");
  return json;
}

/** Echoes client text in an error without letting it flood the reply or the log. */
function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 32 ? `${printable.slice(0, 32)}...` : printable;
}
