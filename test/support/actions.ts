import { adminAction, type InterfaceAction } from '../../src/act/interface-action.js';

/**
 * The real admin action without a kernel: tests that stand in for the writes spread it
 * and give their own `write` (`{ ...ADMIN, write }`), so that what is read of a link is
 * exactly what the daemon reads.
 */
export const ADMIN: InterfaceAction = adminAction(() => {
  throw new Error('this test writes through its own write(), not a kernel');
});
