/** The text of anything thrown: an Error's message, or the value itself. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A message quoting the operator's input must stay one line: control characters are escaped. */
export const oneLine = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
