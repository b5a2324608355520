// The manual page must render cleanly and describe exactly the options the CLI has:
// every option of `ifdepd --help` is in the SYNOPSIS and in OPTIONS with both of its
// spellings and its default, and neither section names an option the CLI lacks.
//
// Needs mandoc (CI installs it: .ci/run) and dist/ (npm test builds first).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = `${ROOT}man/ifdepd.8`;
const CLI = `${ROOT}dist/cli.js`;

const hasMandoc = spawnSync('mandoc', ['-T', 'lint', '/dev/null']).error === undefined;
if (!hasMandoc) console.warn('manpage: skipping: mandoc is not installed (apt-get install mandoc)');

interface CliOption {
  readonly short?: string;
  readonly long: string;
  /** The value after "default:" in the help text, if any. */
  readonly default?: string;
}

/** Options as `ifdepd --help` lists them: "  -d, --daemon  detach, ... (default: x)". */
function helpOptions(): CliOption[] {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  // Commander wraps descriptions onto indented continuation lines: rejoin each entry first.
  const entries: string[] = [];
  for (const line of r.stdout.split('\n')) {
    if (/^ {2}-/.test(line)) entries.push(line);
    else if (/^ {3,}\S/.test(line) && entries.length > 0) entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries.map((entry) => {
    const m = /^ {2}(?:(-[A-Za-z]), )?(--[a-z][\w-]*)/.exec(entry);
    if (m === null) throw new Error(`cannot parse help line: ${entry}`);
    const dflt = /\(default(?: with -d)?: ([^)\s]+)\)/.exec(entry);
    return { ...(m[1] ? { short: m[1] } : {}), long: m[2]!, ...(dflt ? { default: dflt[1]! } : {}) };
  });
}

/** The page as plain text: bold and underline overstrikes removed. */
function render(): string {
  const r = spawnSync('mandoc', ['-T', 'ascii', '-O', 'width=200', PAGE], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/.\x08/g, '');
}

/** The body of one section (from its heading to the next heading). */
function section(text: string, name: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(name);
  if (start < 0) throw new Error(`the page has no ${name} section`);
  const end = lines.findIndex((line, i) => i > start && /^[A-Z][A-Z ]+$/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** Every option-looking token: "-d", "--up-delay", but not "re-read" or "udp://". */
function flags(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w\-./:])(--?[A-Za-z][\w-]*)/g)].map((m) => m[1]!));
}

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

describe.skipIf(!hasMandoc)('man/ifdepd.8', () => {
  it('is clean under mandoc -T lint -W warning', () => {
    const r = spawnSync('mandoc', ['-T', 'lint', '-W', 'warning', PAGE], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('the SYNOPSIS names every option of --help, and no other', () => {
    const cli = helpOptions();
    const synopsis = flags(section(render(), 'SYNOPSIS'));
    // Options with a short form are shown by it, as on the BSDs; the others by their long form.
    const expected = new Set(cli.map((o) => o.short ?? o.long));
    expect([...synopsis].sort()).toEqual([...expected].sort());
  });

  it('OPTIONS describes every option of --help with both spellings, and no other', () => {
    const cli = helpOptions();
    const entries = optionEntries(section(render(), 'OPTIONS'));
    const tagged = [...entries.keys()];
    for (const option of cli) {
      const spellings = [option.short, option.long].filter((s): s is string => s !== undefined);
      const matching = tagged.filter((tag) => spellings.every((s) => flags(tag).has(s)));
      expect(matching, `OPTIONS entry for ${spellings.join(', ')}`).toHaveLength(1);
    }
    const known = new Set(cli.flatMap((o) => (o.short ? [o.short, o.long] : [o.long])));
    const named = new Set(tagged.flatMap((tag) => [...flags(tag)]));
    expect([...named].filter((f) => !known.has(f)), 'OPTIONS entries for options the CLI lacks').toEqual([]);
    expect(entries.size, 'one OPTIONS entry per option').toBe(cli.length);
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
    const known = new Set(helpOptions().flatMap((o) => (o.short ? [o.short, o.long] : [o.long])));
    const page = render();
    // EXAMPLES quote keepalived.conf; everything else speaks of ifdepd's own options.
    const text = page.split('\n').filter((line) => !/^\s*(vrrp_instance|interface|virtual_|priority|advert_int|use_vmac)\b/.test(line));
    const unknown = [...flags(text.join('\n'))].filter((f) => !known.has(f));
    expect(unknown).toEqual([]);
  });
});
