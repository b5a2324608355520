import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { EX_DATAERR, EX_NOINPUT, Fatal } from '../base/sysexits.js';
import { describeBytes, MAX_FILE_BYTES } from './limits.js';

/**
 * The text of a configuration file, read the one way every path uses (--check-config, start,
 * SIGHUP, `ifdepd reload`): only a regular file, never more than the limit, valid UTF-8.
 * O_NONBLOCK so that a FIFO given as the file cannot block the open; fstat on the descriptor
 * so that what is checked is what is read.
 */
export function readConfigFile(file: string): string {
  const fd = open(file);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Fatal(`${file}: not a regular file (${kindOf(stat)}); give the configuration file itself`, EX_NOINPUT);
    return decode(readAtMost(fd, file, MAX_FILE_BYTES + 1), file);
  } finally {
    closeSync(fd);
  }
}

function open(file: string): number {
  try {
    return openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new Fatal(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EX_NOINPUT);
  }
}

function kindOf(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

/** Reads up to `limit` bytes; a file that grows while read is still cut at the limit. */
function readAtMost(fd: number, file: string, limit: number): Buffer {
  const buffer = Buffer.alloc(limit);
  let length = 0;
  try {
    for (let n = -1; n !== 0 && length < limit; length += n) n = readSync(fd, buffer, length, limit - length, null);
  } catch (err) {
    throw new Fatal(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EX_NOINPUT);
  }
  if (length > MAX_FILE_BYTES) {
    throw new Fatal(`${file}:${lineAt(buffer, MAX_FILE_BYTES)}: the file is larger than ${describeBytes(MAX_FILE_BYTES)}, the limit`, EX_DATAERR);
  }
  return buffer.subarray(0, length);
}

/** UTF-8, as ifdepd.conf(5) says; the first invalid byte is named with its line. */
function decode(bytes: Buffer, file: string): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const at = firstInvalidByte(bytes);
  const hex = bytes[at]!.toString(16).padStart(2, '0');
  throw new Fatal(`${file}:${lineAt(bytes, at)}: invalid UTF-8 (byte \\x${hex}): the file must be UTF-8 text`, EX_DATAERR);
}

/** The offset of the first byte that does not belong to valid UTF-8 (a newline never does). */
function firstInvalidByte(bytes: Buffer): number {
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(0x0a, start);
    const line = bytes.subarray(start, end === -1 ? bytes.length : end);
    if (!isUtf8(line)) return start + invalidOffset(line);
    start = end === -1 ? bytes.length : end + 1;
  }
  return 0;
}

/** Invalid bytes decode to U+FFFD; one written in the file (EF BF BD) is valid. */
function invalidOffset(line: Buffer): number {
  let offset = 0;
  for (const c of line.toString('utf8')) {
    const written = line[offset] === 0xef && line[offset + 1] === 0xbf && line[offset + 2] === 0xbd;
    if (c === '\ufffd' && !written) return offset;
    offset += Buffer.byteLength(c, 'utf8');
  }
  return 0;
}

/** The 1-based line holding byte `at`. */
function lineAt(bytes: Buffer, at: number): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < at; i = bytes.indexOf(0x0a, i + 1)) line += 1;
  return line;
}
