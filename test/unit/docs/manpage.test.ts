// The manual pages must render cleanly and describe exactly what is built:
// - ifdepd.8: every option of `ifdepd --help` is in the SYNOPSIS and in OPTIONS with both of
//   its spellings and its default, and neither section names an option the CLI lacks; every
//   client form of the SYNOPSIS (`ifdepd status ...`) is accepted by the client.
// - ifdepd.conf.5: every setting of the parser's table (src/config/settings.ts) has an entry
//   in the section of where it may stand, and no entry there is for a setting the table
//   lacks; every word a value may hold has an entry; the damping defaults are those of the
//   code; every example configuration passes --check-config.
//
// Needs mandoc (CI installs it: .ci/run) and dist/ (npm test builds first).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settingsIn } from '../../../src/config/settings.js';
import { DEFAULT_DAMPING, DEFAULT_DOWN_DELAY, DEFAULT_HOOK_TIMEOUT, DEFAULT_UP_DELAY } from '../../../src/core/spec.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PAGE = `${ROOT}man/ifdepd.8`;
const CONF_PAGE = `${ROOT}man/ifdepd.conf.5`;
const CLI = `${ROOT}dist/cli.js`;

const hasMandoc = spawnSync('mandoc', ['-T', 'lint', '/dev/null']).error === undefined;
if (!hasMandoc) console.warn('manpage: skipping: mandoc is not installed (apt-get install mandoc)');

interface CliOption {
  readonly short?: string;
  readonly long: string;
  /** The value after "default:" in the help text, if any. */
  readonly default?: string;
}

function cli(args: readonly string[]) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

/** Options as `ifdepd --help` lists them: "  -d, --daemon  detach, ... (default: x)". */
function helpOptions(args: readonly string[] = ['--help']): CliOption[] {
  const r = cli(args);
  expect(r.status, r.stderr).toBe(0);
  // Commander wraps descriptions onto indented continuation lines: rejoin each entry first.
  const entries: string[] = [];
  let inEntry = false;
  for (const line of r.stdout.split('\n')) {
    if (/^ {2}-/.test(line)) {
      entries.push(line);
      inEntry = true;
    } else if (/^ {3,}\S/.test(line) && inEntry) {
      entries[entries.length - 1] += ` ${line.trim()}`;
    } else if (!/^ {3,}\S/.test(line)) {
      inEntry = false; // a blank line, a heading or a command ends the entry
    }
  }
  return entries.map((entry) => {
    const m = /^ {2}(?:(-[A-Za-z]), )?(--[a-z][\w-]*)/.exec(entry);
    if (m === null) throw new Error(`cannot parse help line: ${entry}`);
    const dflt = /\(default(?: with -[a-z])?: ([^)\s]+)\)/.exec(entry);
    return { ...(m[1] ? { short: m[1] } : {}), long: m[2]!, ...(dflt ? { default: dflt[1]! } : {}) };
  });
}

/** The client's help (`ifdepd status --help`): its options and its commands. */
function clientHelp(): { options: CliOption[]; commands: string[] } {
  const r = cli(['status', '--help']);
  expect(r.status, r.stderr).toBe(0);
  const commands = r.stdout
    .split('\n')
    .slice(r.stdout.split('\n').indexOf('Commands:') + 1)
    .map((line) => /^ {2}([a-z]+)/.exec(line)?.[1])
    .filter((c): c is string => c !== undefined && c !== 'help');
  return { options: helpOptions(['status', '--help']), commands };
}

const spellings = (options: readonly CliOption[]): string[] => options.flatMap((o) => (o.short ? [o.short, o.long] : [o.long]));

/** A page as plain text: bold and underline overstrikes removed. */
function render(page = PAGE): string {
  const r = spawnSync('mandoc', ['-T', 'ascii', '-O', 'width=200', page], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/.\x08/g, '');
}

/** The body of one section (from its heading to the next heading). */
function section(text: string, name: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(name);
  if (start < 0) throw new Error(`the page has no ${name} section`);
  const end = lines.findIndex((line, i) => i > start && /^[A-Z][A-Z ,]+$/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** Every option-looking token: "-d", "--up-delay", but not "re-read" or "udp://". */
function flags(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w\-./:])(--?[A-Za-z][\w-]*)/g)].map((m) => m[1]!));
}

/** The SYNOPSIS forms, one string each (continuation lines joined). */
function synopsisForms(): string[] {
  const forms: string[] = [];
  for (const line of section(render(), 'SYNOPSIS').split('\n')) {
    if (/^ {5}ifdepd\b/.test(line)) forms.push(line.trim());
    else if (/^ {6,}\S/.test(line) && forms.length > 0) forms[forms.length - 1] += ` ${line.trim()}`;
  }
  return forms;
}

const CLIENT_FORM = /^ifdepd (status|hold|release|reload|monitor)\b/;

/** The OPTIONS entries, keyed by their tag line; bodies joined into one line. */
function optionEntries(options: string): Map<string, string> {
  const entries = new Map<string, string>();
  let tag: string | undefined;
  for (const line of options.split('\n')) {
    if (/^ {5}-/.test(line)) {
      tag = line.trim();
      entries.set(tag, '');
    } else if (tag !== undefined && /^ {6,}\S/.test(line)) {
      entries.set(tag, `${entries.get(tag)} ${line.trim()}`);
    } else if (line.trim() !== '') {
      tag = undefined; // text after the list
    }
  }
  return entries;
}

function lint(page: string): void {
  const r = spawnSync('mandoc', ['-T', 'lint', '-W', 'warning', page], { encoding: 'utf8' });
  expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
  expect(r.status).toBe(0);
}

describe.skipIf(!hasMandoc)('man/ifdepd.8', () => {
  it('is clean under mandoc -T lint -W warning', () => lint(PAGE));

  it('the SYNOPSIS names every option of --help, and no other', () => {
    const daemonForms = synopsisForms().filter((form) => !CLIENT_FORM.test(form));
    const synopsis = flags(daemonForms.join('\n'));
    // Options with a short form are shown by it, as on the BSDs; the others by their long form.
    const expected = new Set(helpOptions().map((o) => o.short ?? o.long));
    expect([...synopsis].sort()).toEqual([...expected].sort());
  });

  it('the SYNOPSIS shows every client command, each in a form the client accepts', () => {
    const forms = synopsisForms().filter((form) => CLIENT_FORM.test(form));
    expect(forms.map((f) => CLIENT_FORM.exec(f)![1]).sort()).toEqual(clientHelp().commands.sort());
    const dir = mkdtempSync(join(tmpdir(), 'ifdepd-man-'));
    const socket = join(dir, 'none.sock');
    try {
      for (const form of forms) {
        // "ifdepd hold group down | up [-s socket]" -> hold g down -s /tmp/.../none.sock
        const words = form.replace(/[[\]]/g, ' ').split(/\s+/).slice(1);
        const argv: string[] = [];
        for (let i = 0; i < words.length; i++) {
          const w = words[i]!;
          if (w === '|') i++; // the first alternative will do
          else if (w === 'group') argv.push('g');
          else if (w === 'socket') argv.push(socket);
          else if (w !== '') argv.push(w);
        }
        if (!argv.includes(socket)) argv.push('-s', socket);
        const r = cli(argv);
        // 69: the command line was accepted and there is no daemon to ask (64 would be a usage error).
        expect(r.status, `${form}: ${r.stderr}`).toBe(69);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('OPTIONS describes every option of --help with both spellings, and no other', () => {
    const options = helpOptions();
    const entries = optionEntries(section(render(), 'OPTIONS'));
    const tagged = [...entries.keys()];
    for (const option of options) {
      const names = [option.short, option.long].filter((s): s is string => s !== undefined);
      const matching = tagged.filter((tag) => names.every((s) => flags(tag).has(s)));
      expect(matching, `OPTIONS entry for ${names.join(', ')}`).toHaveLength(1);
    }
    const known = new Set(spellings(options));
    const named = new Set(tagged.flatMap((tag) => [...flags(tag)]));
    expect([...named].filter((f) => !known.has(f)), 'OPTIONS entries for options the CLI lacks').toEqual([]);
    expect(entries.size, 'one OPTIONS entry per option').toBe(options.length);
  });

  it('OPTIONS states the default that --help states', () => {
    const entries = optionEntries(section(render(), 'OPTIONS'));
    for (const option of helpOptions()) {
      if (option.default === undefined) continue;
      const entry = [...entries].find(([tag]) => flags(tag).has(option.long));
      expect(entry, `OPTIONS entry for ${option.long}`).toBeDefined();
      expect(entry![1], `default of ${option.long}`).toContain(option.default);
    }
  });

  it('every option mentioned anywhere on the page exists', () => {
    // The client's options: those of its help, and those of the client forms the test above runs.
    const clientForms = synopsisForms().filter((form) => CLIENT_FORM.test(form));
    const known = new Set([...spellings(helpOptions()), ...spellings(clientHelp().options), ...flags(clientForms.join('\n'))]);
    const page = render();
    // EXAMPLES quote keepalived.conf; everything else speaks of ifdepd's own options.
    const text = page.split('\n').filter((line) => !/^\s*(vrrp_instance|interface|virtual_|priority|advert_int|use_vmac)\b/.test(line));
    const unknown = [...flags(text.join('\n'))].filter((f) => !known.has(f));
    expect(unknown).toEqual([]);
  });

  it('refers to ifdepd.conf(5)', () => {
    expect(section(render(), 'SEE ALSO')).toContain('ifdepd.conf(5)');
  });
});

/** What the parser says it expects after a given mistake: "expected a, b or c". */
function expectedBy(config: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ifdepd-man-'));
  try {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, config);
    const r = cli(['-f', file, '--check-config']);
    expect(r.status, r.stderr).toBe(65);
    const m = /expected (.*?)(?:\)|, not '.*')?\s*$/.exec(r.stderr.trim());
    if (m === null) throw new Error(`cannot find what the parser expects in: ${r.stderr}`);
    return m[1]!
      .split(/, | or /)
      .map((word) => word.split(' ')[0]!)
      .filter((word) => word !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The keywords of list entries in the page's source: `.It Ic group Ar name` -> group. */
function entryKeywords(): Set<string> {
  const source = readFileSync(CONF_PAGE, 'utf8');
  return new Set([...source.matchAll(/^\.It (?:Ic|Cm) (\S+)/gm)].map((m) => m[1]!));
}

/** The keywords of a section's entries in the page's source: `.It Ic startup-hold Ar time` -> startup-hold. */
function sectionKeywords(name: string): string[] {
  const source = readFileSync(CONF_PAGE, 'utf8');
  const start = source.indexOf(`\n.Sh ${name}\n`);
  if (start < 0) throw new Error(`ifdepd.conf.5 has no ${name} section`);
  const end = source.indexOf('\n.Sh ', start + 1);
  return [...source.slice(start, end < 0 ? undefined : end).matchAll(/^\.It Ic (\S+)/gm)].map((m) => m[1]!);
}

/** The page's entry for a keyword, rendered: its tag line and body up to the next entry. */
function entryText(keyword: string): string {
  const lines = render(CONF_PAGE).split('\n');
  const start = lines.findIndex((line) => new RegExp(`^ +${keyword}\\b`).test(line));
  if (start < 0) throw new Error(`no entry for ${keyword}`);
  const indent = /^ */.exec(lines[start]!)![0].length;
  const end = lines.findIndex((line, i) => i > start && line.trim() !== '' && /^ */.exec(line)![0].length <= indent);
  return lines.slice(start, end < 0 ? undefined : end).join(' ');
}

const seconds = (ms: number): string => `${ms / 1000}s`;

describe.skipIf(!hasMandoc)('man/ifdepd.conf.5', () => {
  it('is clean under mandoc -T lint -W warning', () => lint(CONF_PAGE));

  it('documents every setting of the table in the section of where it may stand, and no other', () => {
    const top = settingsIn('global').map((s) => s.name);
    const group = settingsIn('group').map((s) => s.name);
    expect(top).toEqual(expect.arrayContaining(['group', 'startup-hold', 'control-socket']));
    expect(group).toEqual(expect.arrayContaining(['sources', 'destinations', 'policy', 'action', 'hook']));
    expect(sectionKeywords('GLOBAL SETTINGS').sort(), 'GLOBAL SETTINGS').toEqual([...top].sort());
    expect(sectionKeywords('GROUP SETTINGS').sort(), 'GROUP SETTINGS').toEqual([...group].sort());
    // The parser's "unknown setting" message lists the same table.
    expect(expectedBy('no-such-setting 1\n')).toEqual(top);
    expect(expectedBy('group a {\n    no-such-setting 1\n}\n')).toEqual(group);
  });

  it('documents every word of the values the parser knows', () => {
    const damping = expectedBy('group a {\n    damping no-such-parameter 1\n}\n');
    const actions = expectedBy('group a {\n    action no-such-action\n}\n');
    const policies = expectedBy('group a {\n    policy no-such-policy\n}\n');
    // What the parser says must at least hold what it is known to have.
    expect(damping).toEqual(expect.arrayContaining(['penalty', 'half-life', 'suppress', 'reuse', 'max-suppress']));
    expect(actions).toEqual(expect.arrayContaining(['admin', 'protodown', 'keepalived-track-file']));
    expect(policies).toEqual(expect.arrayContaining(['all', 'any', 'min']));
    const documented = entryKeywords();
    const missing = [...damping, ...actions, ...policies].filter((k) => !documented.has(k));
    expect(missing, 'words without an entry in ifdepd.conf.5').toEqual([]);
  });

  it('states the defaults of the code', () => {
    expect(entryText('penalty')).toContain(`Default ${DEFAULT_DAMPING.penalty}.`);
    expect(entryText('half-life')).toContain(`Default ${seconds(DEFAULT_DAMPING.halfLife)}.`);
    expect(entryText('suppress')).toContain(`Default ${DEFAULT_DAMPING.suppress}.`);
    expect(entryText('reuse')).toContain(`Default ${DEFAULT_DAMPING.reuse}.`);
    expect(entryText('max-suppress')).toContain(`Default ${seconds(DEFAULT_DAMPING.maxSuppress)}.`);
    expect(entryText('down-delay')).toContain(`The default is ${DEFAULT_DOWN_DELAY}`);
    expect(entryText('up-delay')).toContain(`The default is ${DEFAULT_UP_DELAY}`);
    expect(entryText('hook-timeout')).toContain(`The default is ${DEFAULT_HOOK_TIMEOUT}.`);
  });

  it('every example configuration passes --check-config', () => {
    const source = readFileSync(CONF_PAGE, 'utf8');
    const blocks = [...source.matchAll(/^\.Bd -literal[^\n]*\n([\s\S]*?)^\.Ed$/gm)].map((m) => m[1]!);
    const configs = blocks.filter((b) => /^(group|startup-hold|control-socket) /m.test(b) && !/^vrrp_instance/m.test(b));
    expect(configs.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'ifdepd-man-'));
    // --check-config refuses a hook that is not there: the examples' hooks become a real one.
    const hook = join(dir, 'hook');
    writeFileSync(hook, '#!/bin/sh\n', { mode: 0o755 });
    try {
      configs.forEach((config, i) => {
        const file = join(dir, `example${i}.conf`);
        writeFileSync(file, config.replace(/\\&/g, '').replace(/^(\s*hook\s+)\S+/gm, `$1${hook}`));
        const r = cli(['-f', file, '--check-config']);
        expect(r.status, `example:\n${config}\n${r.stderr}`).toBe(0);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
