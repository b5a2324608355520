import { expect } from 'vitest';
import { configFromText } from '../../../src/config/load.js';
import { EX_DATAERR, Fatal } from '../../../src/base/sysexits.js';

export const FILE = '/etc/ifdepd.conf';

/** The one line a refused configuration text gets (exit 65); fails the test if it is accepted. */
export function failure(text: string): string {
  try {
    configFromText(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(Fatal);
    expect((err as Fatal).exitCode).toBe(EX_DATAERR);
    return (err as Fatal).message;
  }
  throw new Error(`accepted:\n${text.slice(0, 2000)}`);
}
