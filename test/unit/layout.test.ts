import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The rules of the layout that dependency-cruiser (npm run lint:deps) does not check. */
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const MAX_LINES = 500;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('src/ layout', () => {
  it(`has no file over ${MAX_LINES} lines: one concern per file`, () => {
    const long = sourceFiles(SRC)
      .map((path) => ({ path: path.slice(SRC.length), lines: readFileSync(path, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('holds folders named for the architecture, and the one entry point', () => {
    const top = readdirSync(SRC).sort();
    expect(top).toEqual(['act', 'base', 'cli', 'cli.ts', 'config', 'control', 'core', 'daemon', 'demo', 'kernel', 'logging', 'metrics', 'probe', 'systemd']);
  });
});

/**
 * The entries of README's source tree: the ```-block after "`ls src` is the architecture",
 * its lines indented under `src/` ("  core/      the decisions...") -> core/.
 */
function readmeSourceTree(): string[] {
  const text = readFileSync(README, 'utf8');
  const paragraph = text.indexOf('`ls src` is the architecture');
  expect(paragraph, 'README has the paragraph on `ls src`').toBeGreaterThan(-1);
  const block = /```\n([\s\S]*?)```/.exec(text.slice(paragraph))?.[1];
  if (block === undefined) throw new Error('README: no ```-block after the paragraph on `ls src`');
  const lines = block.split('\n');
  const start = lines.indexOf('src/');
  expect(start, 'the block starts the tree with src/').toBeGreaterThan(-1);
  const entries: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(' ')) break; // the next top-level entry (test/unit/ ...)
    const entry = /^ {2}(\S+)\s+\S/.exec(line)?.[1];
    if (entry !== undefined) entries.push(entry); // else a description's continuation line
  }
  return entries;
}

describe('README', () => {
  it('lists every entry of src/ in its source tree, each with a description, and no other', () => {
    const actual = readdirSync(SRC).map((name) => (statSync(join(SRC, name)).isDirectory() ? `${name}/` : name));
    const listed = readmeSourceTree();
    expect(listed.filter((entry) => !actual.includes(entry)), 'listed in README, not in src/').toEqual([]);
    expect(actual.filter((entry) => !listed.includes(entry)), 'in src/, not in README').toEqual([]);
    expect(new Set(listed).size, 'each entry once').toBe(listed.length);
  });
});
