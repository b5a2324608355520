import { describe, expect, it } from 'vitest';
import type { ControlRequest } from '../../../src/control/api.js';
import { encodeReply, MAX_REQUEST_BYTES, parseRequest } from '../../../src/control/protocol.js';

describe('parseRequest', () => {
  const valid: readonly [string, ControlRequest][] = [
    ['{"cmd":"status"}', { cmd: 'status' }],
    ['{"cmd":"reload"}', { cmd: 'reload' }],
    ['  {"cmd" : "status"}  ', { cmd: 'status' }],
    ['{"cmd":"hold","group":"uplink","state":"down"}', { cmd: 'hold', group: 'uplink', state: 'down' }],
    ['{"state":"up","group":"a.b_c-9","cmd":"hold"}', { cmd: 'hold', group: 'a.b_c-9', state: 'up' }],
    ['{"cmd":"release","group":"uplink"}', { cmd: 'release', group: 'uplink' }],
    [`{"cmd":"release","group":"${'g'.repeat(64)}"}`, { cmd: 'release', group: 'g'.repeat(64) }],
    ['{"cmd":"monitor"}', { cmd: 'monitor', json: false }],
    ['{"cmd":"monitor","json":true}', { cmd: 'monitor', json: true }],
    ['{"cmd":"monitor","json":false}', { cmd: 'monitor', json: false }],
  ];
  it.each(valid)('accepts %s', (line, expected) => {
    expect(parseRequest(line)).toEqual(expected);
  });

  const malformed: readonly [string, string, RegExp][] = [
    ['empty', '', /^invalid JSON$/],
    ['garbage', '\x00\xff\x01 hello', /^invalid JSON$/],
    ['truncated', '{"cmd":"status"', /^invalid JSON$/],
    ['two objects', '{"cmd":"status"}{"cmd":"status"}', /^invalid JSON$/],
    ['array', '[{"cmd":"status"}]', /^request is not a JSON object$/],
    ['string', '"status"', /^request is not a JSON object$/],
    ['number', '42', /^request is not a JSON object$/],
    ['null', 'null', /^request is not a JSON object$/],
    ['no cmd', '{}', /^missing or invalid 'cmd'$/],
    ['cmd a number', '{"cmd":1}', /^missing or invalid 'cmd'$/],
    ['cmd an object', '{"cmd":{"cmd":"status"}}', /^missing or invalid 'cmd'$/],
    ['unknown cmd', '{"cmd":"reboot"}', /^unknown cmd 'reboot'$/],
    ['inherited cmd', '{"cmd":"toString"}', /^unknown cmd 'toString'$/],
    ['prototype cmd', '{"cmd":"__proto__"}', /^unknown cmd '__proto__'$/],
    ['huge cmd', `{"cmd":"${'x'.repeat(5000)}"}`, /^unknown cmd 'x{32}\.\.\.'$/],
    ['extra field', '{"cmd":"status","group":"uplink"}', /^unknown field 'group' for cmd 'status'$/],
    ['extra on hold', '{"cmd":"hold","group":"g","state":"up","for":"1h"}', /^unknown field 'for' for cmd 'hold'$/],
    ['proto field', '{"cmd":"reload","__proto__":{"x":1}}', /^unknown field '__proto__' for cmd 'reload'$/],
    ['hold without group', '{"cmd":"hold","state":"down"}', /^missing 'group'$/],
    ['monitor json a string', '{"cmd":"monitor","json":"yes"}', /^invalid 'json' \(true or false\)$/],
    ['monitor json null', '{"cmd":"monitor","json":null}', /^invalid 'json' \(true or false\)$/],
    ['extra on monitor', '{"cmd":"monitor","json":true,"group":"g"}', /^unknown field 'group' for cmd 'monitor'$/],
    ['release without group', '{"cmd":"release"}', /^missing 'group'$/],
    ['group a number', '{"cmd":"release","group":7}', /^invalid 'group'/],
    ['group null', '{"cmd":"release","group":null}', /^invalid 'group'/],
    ['group nested', '{"cmd":"release","group":{"name":"uplink"}}', /^invalid 'group'/],
    ['group array', '{"cmd":"release","group":["uplink"]}', /^invalid 'group'/],
    ['group empty', '{"cmd":"release","group":""}', /^invalid 'group'/],
    ['group too long', `{"cmd":"release","group":"${'g'.repeat(65)}"}`, /^invalid 'group'/],
    ['group with slash', '{"cmd":"release","group":"../etc"}', /^invalid 'group'/],
    ['group with space', '{"cmd":"release","group":"up link"}', /^invalid 'group'/],
    ['group with newline', '{"cmd":"release","group":"up\\nlink"}', /^invalid 'group'/],
    ['hold without state', '{"cmd":"hold","group":"uplink"}', /^missing 'state'$/],
    ['state wrong word', '{"cmd":"hold","group":"uplink","state":"UP"}', /^invalid 'state' \(up or down\)$/],
    ['state a boolean', '{"cmd":"hold","group":"uplink","state":true}', /^invalid 'state'/],
    ['state nested', '{"cmd":"hold","group":"uplink","state":{"state":"up"}}', /^invalid 'state'/],
  ];
  it.each(malformed)('refuses %s', (_name, line, message) => {
    expect(() => parseRequest(line)).toThrow(message);
  });

  it('keeps error messages on one short line whatever the input', () => {
    const nasty = ['{"cmd":"a\\nb\\u0000c"}', `{"cmd":"status","${'k\\n'.repeat(2000)}":1}`, '[[[[[[[[[['.repeat(1000)];
    for (const line of nasty) {
      let message = '';
      try {
        parseRequest(line);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toMatch(/[\n\r\x00]/);
      expect(message.length).toBeLessThan(100);
    }
  });

  it('survives deep nesting', () => {
    const deep = `{"cmd":"status","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => parseRequest(deep)).toThrow(/invalid JSON|unknown field/);
  });

  it('limits requests to 4 KiB', () => {
    expect(MAX_REQUEST_BYTES).toBe(4096);
  });
});

describe('encodeReply', () => {
  it('writes one JSON line', () => {
    expect(encodeReply({ ok: true, message: 'held uplink down' })).toBe('{"ok":true,"message":"held uplink down"}\n');
    expect(encodeReply({ ok: false, error: 'a\nb' })).toBe('{"ok":false,"error":"a\\nb"}\n');
  });
});
