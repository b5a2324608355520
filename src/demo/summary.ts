// The table at the end: one row per step, what was expected, what the kernel showed.
import type { Outcome, Step } from './steps.js';
import { bold, green, red } from './style.js';

export interface Row {
  readonly step: Step;
  readonly outcome: Outcome;
}

const HEAD = ['#', 'ACTION', 'EXPECTED', 'OBSERVED', 'REACTION', 'RESULT'] as const;

function cells(row: Row, i: number): string[] {
  const reaction = row.outcome.reactionMs === undefined ? '-' : `${row.outcome.reactionMs.toFixed(1)} ms`;
  return [String(i + 1), row.step.action, row.step.expected, row.outcome.observed, reaction, row.outcome.ok ? 'ok' : 'FAILED'];
}

/** Plain-text columns; colour goes on after padding, so that it does not shift them. */
export function formatSummary(rows: readonly Row[]): string[] {
  const table = rows.map(cells);
  const widths = HEAD.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === 0 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const colour = (text: string, ok: boolean) => (ok ? text.replace(/ ok$/, ` ${green('ok')}`) : red(text));
  const failed = rows.filter((r) => !r.outcome.ok).length;
  return [
    bold('Summary'),
    `  ${line(HEAD)}`,
    ...table.map((r, i) => `  ${colour(line(r), rows[i]!.outcome.ok)}`),
    '',
    'REACTION: from the kernel reporting the action to the kernel reporting the last destination change.',
    failed === 0
      ? green(`ifdepd behaved as expected in all ${rows.length} steps.`)
      : red(`ifdepd did not behave as expected in ${failed} of ${rows.length} steps.`),
  ];
}
