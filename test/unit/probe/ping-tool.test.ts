import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EX_UNAVAILABLE, Fatal } from '../../../src/base/sysexits.js';
import { findPingTool, PING_PATHS } from '../../../src/probe/ping-tool.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-ping-tool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('findPingTool', () => {
  it('looks at fixed paths only, never $PATH', () => {
    expect(PING_PATHS).toEqual(['/usr/bin/ping', '/bin/ping']);
  });

  it('takes the first trusted candidate', () => {
    const tool = join(dir, 'ping');
    writeFileSync(tool, '');
    chmodSync(tool, 0o755);
    expect(findPingTool([join(dir, 'missing'), tool])).toBe(tool);
  });

  it('fails with EX_UNAVAILABLE, naming the package, when none is there', () => {
    const missing = join(dir, 'missing');
    const thrown = (() => {
      try {
        findPingTool([missing]);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(Fatal);
    expect((thrown as Fatal).exitCode).toBe(EX_UNAVAILABLE);
    expect((thrown as Fatal).message).toBe(`ping sources need iputils ping: ${missing} does not exist (apt install iputils-ping)`);
  });

  it('refuses a tool others can write', () => {
    const tool = join(dir, 'ping');
    writeFileSync(tool, '');
    chmodSync(tool, 0o757);
    expect(() => findPingTool([tool])).toThrow(/writable by group or others \(mode 0757\).*apt install iputils-ping/);
  });
});
