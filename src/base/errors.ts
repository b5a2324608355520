/** The text of anything thrown: an Error's message, or the value itself. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The errno name of a failure ("EBUSY"): Node's fs and the netlink requests both carry it as .code. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Where a bug is handed when a callback throws: the component it happened in, and what
 * was thrown. The daemon counts these and recovers (daemon/fault-budget.ts); nothing
 * that reports one may let it reach the event loop.
 */
export type FaultReport = (where: string, err: unknown) => void;

/** A message quoting the operator's input must stay one line: control characters are escaped. */
export const oneLine = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** A text of several lines as one (systemd's STATUS=, a line of `ifdepd monitor`): each line break becomes a space. */
export const joinLines = (text: string): string => (text.includes('\n') ? text.replace(/\s*\r?\n\s*/g, ' ') : text);
