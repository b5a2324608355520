import { describe, expect, it } from 'vitest';
import { ConfigSyntaxError } from '../../../src/config/lexer.js';
import { parseConfig } from '../../../src/config/parser.js';
import { SETTINGS, settingsIn, type Setting } from '../../../src/config/settings.js';

/** Two valid lines of each setting, different from each other (a repeated probe is refused). */
const EXAMPLES: Readonly<Record<string, readonly [string, string]>> = {
  group: ['group a {\n}', 'group b {\n}'],
  'startup-hold': ['startup-hold 5s', 'startup-hold 6s'],
  'control-socket': ['control-socket /run/a.sock', 'control-socket /run/b.sock'],
  'metrics-listen': ['metrics-listen 127.0.0.1:9732', 'metrics-listen [::1]:9732'],
  'metrics-file': ['metrics-file /var/lib/a.prom', 'metrics-file /var/lib/b.prom'],
  'protodown-reason': ['protodown-reason 1', 'protodown-reason 2'],
  sources: ['sources em0', 'sources em1'],
  route: ['route 0.0.0.0/0', 'route ::/0'],
  address: ['address em0', 'address em1 inet6'],
  ping: ['ping 192.0.2.1', 'ping 192.0.2.2'],
  destinations: ['destinations vrrp0', 'destinations vrrp1'],
  policy: ['policy all', 'policy any'],
  'down-delay': ['down-delay 0', 'down-delay 1s'],
  'up-delay': ['up-delay 2s', 'up-delay 3s'],
  damping: ['damping', 'damping suppress 3000'],
  action: ['action admin', 'action protodown'],
  hook: ['hook /usr/bin/true', 'hook /usr/bin/false'],
  'hook-timeout': ['hook-timeout 5s', 'hook-timeout 6s'],
  atomic: ['atomic', 'atomic group 4'],
};

/** "line N: message" for a refusal, "accepted" otherwise. */
function outcome(text: string): string {
  try {
    parseConfig(text);
    return 'accepted';
  } catch (err) {
    if (err instanceof ConfigSyntaxError) return `line ${err.line}: ${err.message}`;
    throw err;
  }
}

/** The text with the lines placed where the setting stands: at the top, or in group g. */
function placed(setting: Setting, lines: readonly string[]): { text: string; firstLine: number } {
  if (setting.scope === 'global') return { text: `${lines.join('\n')}\n`, firstLine: 1 };
  return { text: `group g {\n${lines.join('\n')}\n}\n`, firstLine: 2 };
}

const lineCount = (text: string) => text.split('\n').length;

describe('the table of settings', () => {
  it('names each setting once, and has an example for each', () => {
    const names = SETTINGS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...names].sort());
  });

  it('puts every setting at the top or in a group', () => {
    const everywhere = [...settingsIn('global'), ...settingsIn('group')].map((s) => s.name);
    expect([...everywhere].sort()).toEqual(SETTINGS.map((s) => s.name).sort());
  });

  describe.each(SETTINGS.map((s) => [s.name, s] as const))('%s', (name, setting) => {
    const [first, second] = EXAMPLES[name]!;

    it('is accepted where it may stand', () => {
      expect(outcome(placed(setting, [first]).text)).toBe('accepted');
    });

    if (setting.times === 'once') {
      it('is refused a second time, on the second line', () => {
        const { text, firstLine } = placed(setting, [first, second]);
        const where = setting.scope === 'group' ? 'group g: ' : '';
        expect(outcome(text)).toBe(`line ${firstLine + lineCount(first)}: ${where}${name} given twice`);
      });
    } else {
      it('may be given again', () => {
        expect(outcome(placed(setting, [first, second]).text)).toBe('accepted');
      });
    }

    if (setting.scope === 'global') {
      it('is unknown in a group', () => {
        expect(outcome(`group g {\n${first.split(' ')[0]} x\n}\n`)).toMatch(new RegExp(`^line 2: unknown setting '${name}' in group g \\(expected `));
      });
    } else if (setting.scope === 'group') {
      it('is unknown at the top', () => {
        expect(outcome(`${first}\n`)).toMatch(new RegExp(`^line 1: unknown setting '${name}' at top level \\(expected `));
      });
    }
  });
});
