// Colour only for a person at a terminal: piped output (a test, a log file, a CI job)
// stays plain text. NO_COLOR (https://no-color.org) and TERM=dumb turn it off.
const enabled = process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';

const sgr = (on: number, off: number) => (text: string): string => (enabled ? `\x1b[${on}m${text}\x1b[${off}m` : text);

export const bold = sgr(1, 22);
export const dim = sgr(2, 22);
export const red = sgr(31, 39);
export const green = sgr(32, 39);
