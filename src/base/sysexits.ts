/** Exit codes from sysexits(3), so scripts and init systems can tell failures apart. */
export const EX_OK = 0;
export const EX_USAGE = 64;
export const EX_DATAERR = 65;
export const EX_NOINPUT = 66;
export const EX_UNAVAILABLE = 69;
export const EX_SOFTWARE = 70;
export const EX_OSERR = 71;
export const EX_CANTCREAT = 73;
export const EX_NOPERM = 77;
export const EX_CONFIG = 78;

/** A failure that ends ifdepd with one line for the operator and a sysexits code. */
export class Fatal extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'Fatal';
  }
}

export const usageError = (message: string): Fatal => new Fatal(message, EX_USAGE);

/** Thrown for --help and --version: print the text and exit 0. */
export class InfoExit extends Error {
  constructor(readonly text: string) {
    super(text);
  }
}
