import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commanderClientCall } from '../../../src/cli/client-commands.js';
import { plainClientCall } from '../../../src/cli/client-words.js';
import { DEFAULT_CONTROL_SOCKET } from '../../../src/core/spec.js';

/** What commander makes of argv: the call, or the refusal's message. */
async function byCommander(argv: readonly string[]): Promise<unknown> {
  try {
    return await commanderClientCall(argv);
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

describe('client command lines read without commander', () => {
  it.each([
    [['status']],
    [['status', '--json']],
    [['-s', '/run/x.sock', 'status']],
    [['--socket', '/run/x.sock', 'monitor', '--json']],
    [['--socket=/run/x.sock', 'reload']],
    [['hold', 'uplink', 'down']],
    [['-s', '/tmp/a b.sock', 'hold', 'uplink', 'up']],
    [['release', 'uplink']],
    [['monitor']],
  ])('%j is read as commander reads it', async (argv) => {
    const plain = plainClientCall(argv, DEFAULT_CONTROL_SOCKET);
    expect(plain).toBeDefined();
    expect(plain).toEqual(await byCommander(argv));
  });

  it.each([
    [['status', '--help']],
    [['--help']],
    [['status', '--jsn']],
    [['hold', 'uplink', 'sideways']],
    [['hold', '-x', 'down']],
    [['release', '--json']],
    [['reload', 'now']],
    [['-s', '', 'status']],
    [['-s', 'status']],
    [['status', '-s', '/run/x.sock']],
  ])('%j is left to commander', (argv) => {
    expect(plainClientCall(argv, DEFAULT_CONTROL_SOCKET)).toBeUndefined();
  });

  it('accepts nothing commander reads differently or refuses', async () => {
    const word = fc.constantFrom('status', 'hold', 'release', 'reload', 'monitor', 'down', 'up', '--json', '-s', '--socket', '--socket=/s', 'g1', '-', '--', '');
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 5 }), async (argv) => {
        const plain = plainClientCall(argv, DEFAULT_CONTROL_SOCKET);
        if (plain !== undefined) expect(plain).toEqual(await byCommander(argv));
      }),
      { numRuns: 500 },
    );
  });
});
