import type { MetricsSettings } from '../core/spec.js';
import type { Millis } from '../core/types.js';
import { tokenize } from './lexer.js';
import { readSetting, type FileDraft, type ParsedGroup } from './settings.js';
import { StatementReader } from './statements.js';

export interface ParsedConfig {
  readonly groups: readonly ParsedGroup[];
  readonly startupHold: Millis;
  readonly controlSocket?: string;
  readonly metrics?: MetricsSettings;
  readonly protodownReason?: number;
  /** The line of each top-level setting given, by keyword. */
  readonly lines: Readonly<Record<string, number>>;
}

/**
 * Parses ifdepd.conf:
 *
 *   startup-hold 30s
 *   group uplink {
 *       sources em0 bge0
 *       destinations "vrrp.*"
 *       policy all
 *       down-delay 0
 *       up-delay 2s
 *   }
 *
 * Each statement is read by its row of the table in settings.ts, and every value is checked
 * on its own line, so that an error names that line.
 */
export function parseConfig(text: string): ParsedConfig {
  const statements = new StatementReader(tokenize(text));
  const draft: FileDraft = { groups: [], lines: {} };
  for (let s = statements.next(); s !== undefined; s = statements.next()) readSetting(s, { scope: 'global', draft }, statements);
  const { metricsListen: listen, metricsFile: file } = draft;
  const metrics = { ...(listen !== undefined ? { listen } : {}), ...(file !== undefined ? { file } : {}) };
  return {
    groups: draft.groups,
    startupHold: draft.startupHold ?? 0,
    ...(draft.controlSocket !== undefined ? { controlSocket: draft.controlSocket } : {}),
    ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
    ...(draft.protodownReason !== undefined ? { protodownReason: draft.protodownReason } : {}),
    lines: draft.lines,
  };
}
