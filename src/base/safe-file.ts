import { closeSync, constants, fchmodSync, fsyncSync, linkSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Files root writes in a place others may see: never through a name someone else can plant.
 * The content goes to a new file under an unpredictable name, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (a planted file or symlink makes it fail, never redirects it),
 * and is then moved into place by rename(2) or link(2), which replace or refuse a planted
 * name without following it. Readers see the old file or the new one, never half of one.
 *
 * The directory must have been checked first (untrustedDirectory()): in a directory others
 * can write, they could still remove the file or plant one before it is first written.
 */

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface WriteOptions {
  /** The file's mode, exactly: the umask does not apply. */
  readonly mode: number;
  /** Flush to the disk before it replaces the old file (for what must survive a crash). */
  readonly durable?: boolean;
}

/** Replaces path with a file holding data. */
export function replaceFile(path: string, data: string, options: WriteOptions): void {
  const temporary = writeTemporary(path, data, options);
  try {
    renameSync(temporary, path);
  } catch (err) {
    removeQuietly(temporary);
    throw err;
  }
}

/** Creates path holding data; false if something is already there (a file, a symlink...). */
export function createFile(path: string, data: string, options: WriteOptions): boolean {
  const temporary = writeTemporary(path, data, options);
  try {
    linkSync(temporary, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    removeQuietly(temporary);
  }
}

/** A name beside path that nobody can guess: a dot file, so that globs over the directory skip it. */
export function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${unpredictable(8)}`);
}

/**
 * n bytes of the kernel's random pool, in hex. From /dev/urandom rather than node:crypto,
 * which loads some 20 modules of its own at start (2.3 MiB of resident memory and ~5 ms
 * of every start, issue 21) for these 8 bytes.
 */
function unpredictable(n: number): string {
  const bytes = Buffer.alloc(n);
  const fd = openSync('/dev/urandom', constants.O_RDONLY);
  try {
    for (let got = 0; got < n; ) {
      const read = readSync(fd, bytes, got, n - got, null);
      if (read === 0) throw new Error('/dev/urandom: end of file');
      got += read;
    }
  } finally {
    closeSync(fd);
  }
  return bytes.toString('hex');
}

function writeTemporary(path: string, data: string, options: WriteOptions): string {
  const temporary = temporaryName(path);
  const fd = openSync(temporary, CREATE_NEW, options.mode);
  try {
    fchmodSync(fd, options.mode);
    const bytes = Buffer.from(data);
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    if (options.durable === true) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeQuietly(temporary);
    throw err;
  }
  closeSync(fd);
  return temporary;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or already moved into place
  }
}
