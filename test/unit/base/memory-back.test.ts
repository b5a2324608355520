import { expect, it } from 'vitest';
import { giveMemoryBackWhenQuiet } from '../../../src/base/memory-back.js';
import { waitFor } from '../../lab/wait.js';

it('collects the heap once the burst is quiet, and leaves no gc() behind for the rest of the program', async () => {
  // What only a full collection frees: an object in the old generation, held weakly.
  let garbage: object | undefined = { big: new Array(1000).fill('x') };
  const ref = new WeakRef(garbage);
  garbage = undefined;
  giveMemoryBackWhenQuiet(10, 10);
  await waitFor('the collection', () => ref.deref() === undefined, { timeout: 5000, interval: 20 });
  expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
});

it('waits for the quiet: each new piece of the burst puts the collection off', async () => {
  let garbage: object | undefined = { big: new Array(1000).fill('x') };
  const ref = new WeakRef(garbage);
  garbage = undefined;
  const start = performance.now();
  giveMemoryBackWhenQuiet(300, 10);
  await new Promise((resolve) => setTimeout(resolve, 200));
  giveMemoryBackWhenQuiet(300, 10);
  await waitFor('the collection', () => ref.deref() === undefined, { timeout: 5000, interval: 20 });
  expect(performance.now() - start).toBeGreaterThanOrEqual(490);
});
