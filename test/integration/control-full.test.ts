// All 16 control connections taken: the real CLI must say why ("busy: too many
// connections") and exit 69 (EX_UNAVAILABLE), never "write EPIPE". The server refuses at
// once; the client's request then races the server's hang-up, which used to lose the
// refusal: so the refused client is run several times over.
import { createConnection, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab, waitFor } from '../lab/index.js';
import { expectOneLineFailure } from '../faults/faultlab.js';

const LIMIT = 16;
const RUNS = 8;

describeLab('a full control socket', () => {
  let lab: Lab;
  const held: Socket[] = [];

  eachLab((fresh) => {
    lab = fresh;
    lab.addSource('s0');
    lab.addDestination('vrrp0');
  });

  /** A connection the server has accepted: it answered a status request on it. */
  async function hold(): Promise<Socket> {
    const socket = createConnection(lab.sock);
    held.push(socket);
    let replies = '';
    socket.setEncoding('utf8').on('data', (c: string) => (replies += c));
    socket.on('error', () => undefined);
    socket.write('{"cmd":"status"}\n');
    await waitFor('the held connection to be answered', () => replies.includes('\n'));
    expect(replies).toMatch(/^\{"ok":true/);
    return socket;
  }

  it(`refuses client number ${LIMIT + 1} with one line and exit 69, every time, and serves again once one leaves`, async () => {
    await lab.start(config(lab, group('uplink', 'sources s0', 'destinations vrrp0')), { verbose: false });
    try {
      for (let i = 0; i < LIMIT; i++) await hold();
      for (let run = 0; run < RUNS; run++) {
        const r = await lab.ctl('status');
        expectOneLineFailure({ ...r, signal: null }, 69, new RegExp(`^ifdepd: ifdepd on ${lab.sock} is busy: too many connections on its control socket; try again$`), `run ${run}`);
      }
      held.pop()!.destroy();
      await waitFor('a slot to be free again', async () => (await lab.ctl('status')).code === 0, { timeout: 5000, interval: 50 });
      expect(lab.daemon?.alive).toBe(true);
    } finally {
      for (const s of held.splice(0)) s.destroy();
    }
  });
});
