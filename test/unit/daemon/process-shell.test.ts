import { describe, expect, it } from 'vitest';
import { ProcessShell } from '../../../src/daemon/process-shell.js';

/** Fake resources: what was taken and let go, in order. */
function world() {
  const journal: string[] = [];
  const failedReleases: string[] = [];
  const shell = new ProcessShell((layer, err) => failedReleases.push(`${layer}: ${(err as Error).message}`));
  /** A layer that holds something: said when taken and when let go. */
  const take = (name: string, fails?: Error) =>
    shell.take(
      name,
      () => {
        if (fails !== undefined) throw fails;
        journal.push(`take ${name}`);
        return name;
      },
      (value) => {
        journal.push(`release ${value}`);
      },
    );
  return { shell, journal, failedReleases, take };
}

/** A step whose end the test decides. */
function pending<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const STEPS = ['crash route', 'pidfile', 'log', 'systemd', 'daemon', 'metrics', 'signals', 'control socket'];

describe('the process shell', () => {
  it('takes the layers in order, runs until stopped, and lets them go in reverse with the stop\'s exit code', async () => {
    const { shell, journal, take } = world();
    const running = pending<void>();
    const exit = shell.run(async () => {
      for (const step of STEPS) await take(step);
      running.resolve();
    });
    await running.promise;
    expect(journal).toEqual(STEPS.map((s) => `take ${s}`));
    shell.stop(0);
    await expect(exit).resolves.toBe(0);
    expect(journal).toEqual([...STEPS.map((s) => `take ${s}`), ...[...STEPS].reverse().map((s) => `release ${s}`)]);
  });

  it.each(STEPS.map((step, i) => ({ step, i })))(
    'a failure taking the $step lets go of exactly the layers before it, in reverse, then rejects with it',
    async ({ step, i }) => {
      const { shell, journal, take } = world();
      const failure = new Error(`cannot take the ${step}`);
      const exit = shell.run(async () => {
        for (const s of STEPS) await take(s, s === step ? failure : undefined);
      });
      await expect(exit).rejects.toBe(failure);
      const before = STEPS.slice(0, i);
      expect(journal).toEqual([...before.map((s) => `take ${s}`), ...[...before].reverse().map((s) => `release ${s}`)]);
    },
  );

  it('a signal while a layer is being taken: no later layer is taken, the earlier ones are let go, and what the slow one brings later too', async () => {
    const { shell, journal, take } = world();
    const slow = pending<string>();
    let taking = false;
    let later = false;
    const exit = shell.run(async () => {
      await take('pidfile');
      await take('daemon');
      await shell.take(
        'interfaces',
        () => {
          taking = true;
          return slow.promise;
        },
        (value) => {
          journal.push(`release ${value}`);
        },
      );
      later = true;
      await take('readiness');
    });
    await expect.poll(() => taking).toBe(true);
    shell.stop(0);
    await expect(exit).resolves.toBe(0);
    expect(journal).toEqual(['take pidfile', 'take daemon', 'release daemon', 'release pidfile']);
    expect(later).toBe(false);
    slow.resolve('interfaces');
    await expect.poll(() => journal.at(-1)).toBe('release interfaces');
  });

  it('a step that fails after a signal ended the start-up changes nothing: the signal\'s code stands', async () => {
    const { shell, journal, take } = world();
    const slow = pending<string>();
    const exit = shell.run(async () => {
      await take('pidfile');
      await shell.take('control socket', () => slow.promise);
    });
    await expect.poll(() => journal.length).toBe(1);
    shell.stop(0);
    slow.reject(new Error('too late'));
    await expect(exit).resolves.toBe(0);
    expect(journal).toEqual(['take pidfile', 'release pidfile']);
  });

  it('a crash during start-up (fail) ends it with that error once what was taken is let go', async () => {
    const { shell, journal, take } = world();
    const crash = new TypeError('bug');
    const exit = shell.run(async () => {
      await take('pidfile');
      await shell.take('daemon', () => {
        shell.fail(crash);
        return 'daemon';
      }, (value) => {
        journal.push(`release ${value}`);
      });
      await take('control socket');
    });
    await expect(exit).rejects.toBe(crash);
    // The daemon arrived after the crash ended the start-up: let go as it arrived, in no set order.
    await expect.poll(() => [...journal].sort()).toEqual(['release daemon', 'release pidfile', 'take pidfile']);
  });

  it('the first ending asked for wins: the fault budget after a signal does not change the exit code', async () => {
    const { shell, take } = world();
    const exit = shell.run(async () => {
      await take('daemon');
    });
    shell.stop(0);
    shell.stop(70);
    shell.fail(new Error('later'));
    await expect(exit).resolves.toBe(0);
  });

  it('the fault budget spent while running: exit code 70, every layer let go', async () => {
    const { shell, journal, take } = world();
    const started = pending<void>();
    const exit = shell.run(async () => {
      await take('pidfile');
      await take('daemon');
      started.resolve();
    });
    await started.promise;
    shell.stop(70);
    await expect(exit).resolves.toBe(70);
    expect(journal.slice(2)).toEqual(['release daemon', 'release pidfile']);
  });

  it('a layer that throws as it is let go is reported, and the layers below it are let go all the same', async () => {
    const { shell, journal, failedReleases, take } = world();
    const exit = shell.run(async () => {
      await take('pidfile');
      await shell.take('metrics', () => 'metrics', () => {
        throw new Error('EBADF');
      });
      await take('control socket');
      shell.stop(0);
    });
    await expect(exit).resolves.toBe(0);
    expect(journal).toEqual(['take pidfile', 'take control socket', 'release control socket', 'release pidfile']);
    expect(failedReleases).toEqual(['metrics: EBADF']);
  });

  it('a step that holds nothing is taken, and nothing is let go for it', async () => {
    const { shell, journal, take } = world();
    let started = false;
    const exit = shell.run(async () => {
      await take('daemon');
      await shell.take('interfaces', () => {
        started = true;
      });
      shell.stop(0);
    });
    await expect(exit).resolves.toBe(0);
    expect(started).toBe(true);
    expect(journal).toEqual(['take daemon', 'release daemon']);
  });

  it('releases wait for one another: the next is let go only once the one above it is', async () => {
    const { shell, journal, take } = world();
    const exit = shell.run(async () => {
      await take('pidfile');
      await shell.take('log', () => 'log', async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        journal.push('release log');
      });
      shell.stop(0);
    });
    await expect(exit).resolves.toBe(0);
    expect(journal).toEqual(['take pidfile', 'release log', 'release pidfile']);
  });
});
