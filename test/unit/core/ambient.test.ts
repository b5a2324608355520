import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The core reads no ambient clock or process state: time comes from its Scheduler, the
 * wall clock and how to say it (time zones included) from the daemon. Checked on the
 * syntax tree, so comments and strings that name these words do not count.
 */
const CORE = fileURLToPath(new URL('../../../src/core/', import.meta.url));

/** Globals that read the clock, the process or the locale, or run timers. */
const AMBIENT = new Set(['Date', 'performance', 'process', 'Intl', 'globalThis', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']);
/** Members that read the locale or the time zone, whatever object they are called on. */
const LOCAL = /^(toLocale\w*|getTimezoneOffset|timeZone|resolvedOptions)$/;

function coreFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return coreFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** "file:line: name" for each use of an ambient global or a locale member. */
function ambientUses(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && isAmbient(node)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${file}:${line + 1}: ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isAmbient(id: ts.Identifier): boolean {
  if (LOCAL.test(id.text)) return true;
  if (!AMBIENT.has(id.text)) return false;
  const parent = id.parent;
  // `x.process`, `{ process: 1 }`, `type T = { Date: ... }`: a member of something else, not the global.
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === id) return false;
  return true;
}

describe('the core reads no ambient clock or process state', () => {
  it('no file under src/core/ uses Date, performance, process, Intl, timers or the locale', () => {
    const uses = coreFiles(CORE).flatMap((path) => ambientUses(path.slice(CORE.length), readFileSync(path, 'utf8')));
    expect(uses).toEqual([]);
  });

  it('finds what it looks for, in code only', () => {
    const code = [
      '// Date.now() in a comment, and process.env',
      "const said = 'new Date() in a string, performance.now()';",
      'const t = Date.now();',
      'const h = new Date(t).getHours();',
      'const p = performance.now() + process.uptime();',
      "const z = Intl.DateTimeFormat().resolvedOptions().timeZone + t.toLocaleString();",
      'const member = { process: 1 }.process;',
    ].join('\n');
    expect(ambientUses('x.ts', code)).toEqual([
      'x.ts:3: Date',
      'x.ts:4: Date',
      'x.ts:5: performance',
      'x.ts:5: process',
      'x.ts:6: Intl',
      'x.ts:6: resolvedOptions',
      'x.ts:6: timeZone',
      'x.ts:6: toLocaleString',
    ]);
  });
});
