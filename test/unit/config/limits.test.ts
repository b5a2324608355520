import { describe, expect, it } from 'vitest';
import { configFromText } from '../../../src/config/load.js';
import { MAX_GLOBS, MAX_GROUPS, MAX_LINE_CHARS, MAX_NAMES, MAX_NAMES_PER_LIST } from '../../../src/config/limits.js';
import { FILE, failure } from './refusal.js';

const group = (name: string, sources: string, destinations: string) => `group ${name} {\n sources ${sources}\n destinations ${destinations}\n}\n`;
/** n groups of `per` plain names each, as sources and destinations, chained (no cycle). */
const chain = (n: number, per: number, glob = (_i: number) => '') =>
  Array.from({ length: n }, (_, i) => {
    const names = (k: number) => Array.from({ length: per }, (_, j) => `n${k}x${j}`).join(' ');
    return group(`g${i}`, `${names(i)} ${glob(i)}`, names(i + 1));
  }).join('');

describe('limits of the configuration file: refused with file:line, exit 65', () => {
  it(`refuses more than ${MAX_GROUPS} groups at the first group beyond`, () => {
    expect(failure(chain(MAX_GROUPS + 1, 1))).toBe(`${FILE}:${MAX_GROUPS * 4 + 1}: more than ${MAX_GROUPS} groups`);
  });

  it(`refuses more than ${MAX_NAMES_PER_LIST} names on one line`, () => {
    const names = Array.from({ length: MAX_NAMES_PER_LIST + 1 }, (_, i) => `e${i}`).join(' ');
    expect(failure(`\n${group('g', names, 'v0')}`)).toBe(`${FILE}:3: group g: sources: ${MAX_NAMES_PER_LIST + 1} names, more than ${MAX_NAMES_PER_LIST}`);
  });

  it(`refuses more than ${MAX_NAMES} names in the file, at the line that crosses it`, () => {
    const per = 256;
    const groups = Math.ceil(MAX_NAMES / (2 * per)) + 1;
    const message = failure(chain(groups, per));
    expect(message).toMatch(new RegExp(`^${FILE}:\\d+: more than ${MAX_NAMES} interface names and patterns in the file$`));
    const line = Number(/:(\d+):/.exec(message)![1]);
    expect(line).toBe(4 * (MAX_NAMES / (2 * per)) + 2);
  });

  it(`refuses more than ${MAX_GLOBS} glob patterns in the file`, () => {
    expect(failure(chain(MAX_GLOBS + 1, 1, (i) => `"s${i}*"`))).toBe(`${FILE}:${MAX_GLOBS * 4 + 2}: more than ${MAX_GLOBS} glob patterns in the file`);
  });

  it(`refuses a line longer than ${MAX_LINE_CHARS} characters, without echoing it`, () => {
    const message = failure(`# fine\nsources ${'x'.repeat(MAX_LINE_CHARS)}\n`);
    expect(message).toBe(`${FILE}:2: line longer than ${MAX_LINE_CHARS} characters`);
  });

  it('refuses 20,000 nested braces in a destination fast, at their line, in a short message', () => {
    const braces = (n: number) => `${'{'.repeat(n)}a${'}'.repeat(n)}`;
    expect(failure(`startup-hold 1s\n${group('g', 'em0', `"${braces(20_000)}"`)}`)).toBe(`${FILE}:4: line longer than ${MAX_LINE_CHARS} characters`);
    expect(failure(`startup-hold 1s\n${group('g', 'em0', `"${braces(5_000)}"`)}`)).toBe(
      `${FILE}:4: group g: pattern '${'{'.repeat(64)}'... is longer than 128 bytes`,
    );
    expect(failure(`startup-hold 1s\n${group('g', 'em0', `"${braces(9)}"`)}`)).toBe(
      `${FILE}:4: group g: pattern '${braces(9)}' nests braces or parentheses 9 deep, more than 8`,
    );
  });

  it('echoes a 1 MB interface name in part only', () => {
    const message = failure(`group g {\n sources ${'a'.repeat(MAX_LINE_CHARS - 10)}\n destinations v0\n}\n`);
    expect(message).toBe(`${FILE}:2: group g: interface name '${'a'.repeat(64)}'... is longer than 15 bytes`);
  });

  it('checks the largest allowed file in about a second, not minutes: the cycle check is not quadratic in names', () => {
    // MAX_NAMES plain names and MAX_GLOBS globs: the shape that took 5.5 s (200 x 40 names) and 14.9 s (1024 globs).
    const perGroup = MAX_NAMES / MAX_GLOBS / 2;
    const text = chain(MAX_GLOBS, perGroup - 1, (i) => `"n${i + 1}y*"`);
    expect(configFromText(text, FILE).groups).toHaveLength(MAX_GLOBS);
  });

  it('still finds a cycle through many groups', () => {
    const text = chain(MAX_GROUPS - 1, 1) + group('back', `n${MAX_GROUPS - 1}x0`, 'n0x0');
    expect(failure(text)).toMatch(/^\/etc\/ifdepd\.conf:1: dependency cycle: g0 -> g1 -> .* -> g126 -> back -> g0$/);
  });
});

describe('text the file may not hold', () => {
  it.each<[string, string, string]>([
    ['a control character in a name', 'group g {\n sources em\u00010\n destinations v0\n}\n', `${FILE}:2: control character \\x01: names and settings are printable text`],
    ['DEL in a comment', '# a\n# b\u007f\ngroup g {\n}\n', `${FILE}:2: control character \\x7f: names and settings are printable text`],
    ['NUL', '\n\n\u0000', `${FILE}:3: control character \\x00: names and settings are printable text`],
    ['a C1 control in a string', 'group g {\n hook /bin/x "a\u009bb"\n}\n', `${FILE}:2: control character \\x9b: names and settings are printable text`],
    ['a vertical tab', 'group g {\u000b\n}\n', `${FILE}:1: control character \\x0b: names and settings are printable text`],
  ])('%s', (_label, text, message) => {
    expect(failure(text)).toBe(message);
  });

  it('takes tabs, CRLF line ends and non-ASCII in comments and quoted arguments', () => {
    const c = configFromText('# café\r\ngroup g {\r\n\tsources em0\r\n\tdestinations v0\r\n\thook /bin/x "é"\r\n}\r\n', FILE);
    expect(c.groups[0]!.hooks[0]!.args).toEqual(['é']);
  });
});

describe('every error names its own line', () => {
  const g = group('g', 'a', 'b');
  it.each<[string, string, string]>([
    ['control-socket on line 9', `${g}${g.replace('group g', 'group h').replace(/\ba\b/, 'c').replace(/\bb\b/, 'd')}control-socket relative.sock\n`, `${FILE}:9: control-socket 'relative.sock' must be an absolute path`],
    ['a bad name on its sources line', 'group g {\n policy any\n destinations v0\n sources em0 "bad name"\n}\n', `${FILE}:4: group g: interface name 'bad name' contains " "`],
    ['source and destination, at the later line', 'group g {\n destinations x\n\n sources x\n}\n', `${FILE}:4: group g: 'x' is both a source and a destination`],
    ['the second hook', 'group g {\n sources a\n destinations b\n hook /bin/a\n hook b\n}\n', `${FILE}:5: group g: hook 'b' must be an absolute path`],
    ['a track file shared, at its action line', 'group a {\n sources x\n action keepalived-track-file /run/t\n}\ngroup b {\n sources y\n\n action keepalived-track-file /run/t\n}\n', `${FILE}:8: group b: track file '/run/t' is group a's too`],
    ['a long bad group name, echoed in part', `group ${'n'.repeat(200)} {\n}\n`, `${FILE}:1: group name '${'n'.repeat(64)}'... must be 1-64 letters, digits, '_', '.' or '-'`],
    ['a long duration', 'group g {\n sources a\n destinations b\n up-delay 1111111111111111111111111111111111111111s\n}\n', `${FILE}:4: up-delay: '1111111111111111111111111111111111111111s' is not a duration`],
    ['damping keys are not object properties', 'group g {\n sources a\n destinations b\n damping constructor 5\n}\n', `${FILE}:4: damping: unknown parameter 'constructor' (expected penalty, half-life, suppress, reuse, max-suppress)`],
  ])('%s', (_label, text, message) => {
    expect(failure(text)).toBe(message);
  });
});
