import { DAEMON_OPTIONS, type DaemonOption } from './option-table.js';

/** An option as both readers name it: '-S' and '--sources', read into `sources`. */
interface Spelling {
  readonly short?: string;
  readonly long: string;
  /** commander's attribute name: --dry-run is dryRun. */
  readonly key: string;
  readonly option: DaemonOption;
}

const FLAGS = /^(?:(-\w), )?(--[\w-]+)(?: <[^>]+>)?$/;

function spellingOf(option: DaemonOption): Spelling {
  const m = FLAGS.exec(option.flags);
  if (m === null) throw new Error(`option table: cannot read the flags '${option.flags}'`);
  const key = m[2]!.slice(2).replace(/-(\w)/g, (_all, c: string) => c.toUpperCase());
  return { ...(m[1] !== undefined ? { short: m[1] } : {}), long: m[2]!, key, option };
}

const SPELLINGS: readonly Spelling[] = DAEMON_OPTIONS.map(spellingOf);
const BY_NAME: ReadonlyMap<string, Spelling> = new Map(
  SPELLINGS.flatMap((s) => (s.short !== undefined ? [[s.short, s], [s.long, s]] : [[s.long, s]])),
);

/**
 * The daemon's command lines as written in units, scripts and by hand (`ifdepd -d -S em0:bge0
 * -D vrrp0:vrrp1`, `ifdepd -f /etc/ifdepd.conf`), read without commander, which with what it
 * requires is ~12 ms of the daemon's start (issue 21). Each word is an option of the table
 * (`-S list`, `-Slist`, `--sources list`, `--sources=list`, `-d`); anything else (--help,
 * --version, a word it does not know, grouped switches like `-dv`, an option given twice, a
 * value that starts with '-' or that its parser refuses) is undefined: commander reads it,
 * and says what it prints or refuses as it always has. What this accepts, commander accepts
 * and reads the same (test/unit/cli/daemon-words.test.ts).
 */
export function plainDaemonOptions(argv: readonly string[]): Record<string, unknown> | undefined {
  const read: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const word = wordOf(argv[i]!, argv[i + 1]);
    if (word === undefined || word.spelling.key in read) return undefined;
    const value = valueOf(word.spelling.option, word.text);
    if (value === undefined) return undefined;
    read[word.spelling.key] = value;
    if (word.tookNext) i += 1;
  }
  return read;
}

interface Word {
  readonly spelling: Spelling;
  /** The value's text; undefined for a switch. */
  readonly text: string | undefined;
  /** The value was the next word of argv. */
  readonly tookNext: boolean;
}

function wordOf(arg: string, next: string | undefined): Word | undefined {
  const whole = BY_NAME.get(arg);
  if (whole !== undefined) {
    if (whole.option.parse === undefined) return { spelling: whole, text: undefined, tookNext: false };
    return next === undefined || next.startsWith('-') ? undefined : { spelling: whole, text: next, tookNext: true };
  }
  const eq = arg.indexOf('=');
  const long = arg.startsWith('--') && eq > 0 ? BY_NAME.get(arg.slice(0, eq)) : undefined;
  if (long !== undefined) return long.option.parse === undefined ? undefined : { spelling: long, text: arg.slice(eq + 1), tookNext: false };
  const short = /^-\w./.test(arg) ? BY_NAME.get(arg.slice(0, 2)) : undefined;
  if (short?.option.parse === undefined) return undefined;
  return { spelling: short, text: arg.slice(2), tookNext: false };
}

/** The parsed value, true for a switch, undefined when commander should say what is wrong. */
function valueOf(option: DaemonOption, text: string | undefined): unknown {
  if (option.parse === undefined) return true;
  if (text === undefined || text.startsWith('-')) return undefined;
  try {
    return option.parse(text);
  } catch {
    return undefined;
  }
}
