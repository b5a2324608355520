import type { Millis } from '../core/types.js';

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;

/** A failed write is tried again after 100 ms, doubling, at most every 5 s. */
export const retryDelay = (failures: number): Millis =>
  Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, failures - 1));
