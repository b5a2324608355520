// contrib/monitor: the unit and the script hand `ifdepd monitor`'s stream to a program
// that reads it line by line itself (journald, logger), never to a shell loop, and the
// command lines they run are ones the client accepts.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isClientCall } from '../../../src/cli/client-call.js';

const path = (rel: string): string => fileURLToPath(new URL(`../../../contrib/monitor/${rel}`, import.meta.url));
const read = (rel: string): string => readFileSync(path(rel), 'utf8');

describe('contrib/monitor', () => {
  it('has no shell `while read` loop anywhere', () => {
    for (const file of ['ifdepd-monitor.service', 'ifdepd-monitor-logger']) {
      const code = read(file)
        .split('\n')
        .filter((l) => !l.trimStart().startsWith('#'))
        .join('\n');
      expect(code, file).not.toMatch(/while\s+read/);
    }
  });

  it('the unit runs `ifdepd monitor` with its stdout in the journal, after ifdepd.service', () => {
    const unit = read('ifdepd-monitor.service');
    const exec = /^ExecStart=\/usr\/sbin\/ifdepd (.*)$/m.exec(unit);
    expect(exec).not.toBeNull();
    expect(isClientCall(exec![1]!.split(' '))).toBe(true);
    expect(exec![1]).toMatch(/^monitor\b/);
    expect(unit).toMatch(/^StandardOutput=journal$/m);
    expect(unit).toMatch(/^SyslogIdentifier=ifdepd-monitor$/m);
    expect(unit).toMatch(/^After=ifdepd\.service$/m);
    expect(unit).toMatch(/^Restart=always$/m);
  });

  describe('ifdepd-monitor-logger', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'ifdepd-monlog-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('parses with sh -n', () => {
      const r = spawnSync('sh', ['-n', path('ifdepd-monitor-logger')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it('gives logger every line unchanged, the long snapshot and backslashes included, and passes its arguments on', () => {
      const snapshot = `{"v":1,"seq":0,"kind":"snapshot","status":{"pad":"${'x'.repeat(20_000)}"}}`;
      const lines = [snapshot, '  leading blanks \\n and a backslash', 'last line without a newline'];
      writeFileSync(join(dir, 'stream'), lines.join('\n'));
      const fake = (name: string, body: string) => {
        writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
        chmodSync(join(dir, name), 0o755);
      };
      fake('ifdepd', `echo "$@" > "${dir}/args"; cat "${dir}/stream"`);
      fake('logger', `echo "$@" > "${dir}/logger-args"; cat > "${dir}/logged"`);
      const r = spawnSync('sh', [path('ifdepd-monitor-logger'), '--json', '-s', '/run/x.sock'], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readFileSync(join(dir, 'args'), 'utf8')).toBe('monitor --json -s /run/x.sock\n');
      expect(readFileSync(join(dir, 'logger-args'), 'utf8')).toMatch(/^-t ifdepd-monitor --id=\d+ --size 65536\n$/);
      expect(readFileSync(join(dir, 'logged'), 'utf8')).toBe(lines.join('\n'));
    });
  });
});
