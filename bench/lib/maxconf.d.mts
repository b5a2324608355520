/** Types for maxconf.mjs, which test/lab/maxconf.ts shares with the bench. */
export interface ConfigLimits {
  readonly MAX_FILE_BYTES: number;
  readonly MAX_GLOBS: number;
  readonly MAX_GROUPS: number;
  readonly MAX_NAMES: number;
}
export function maximalConfig(head: string, headGroups: number, headNames: number, limits: ConfigLimits): string;
