import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The rules of the layout that dependency-cruiser (npm run lint:deps) does not check. */
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
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
