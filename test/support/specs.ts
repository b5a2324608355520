import type { GroupSpec } from '../../src/core/spec.js';

/** An `atomic` admin group watching em0, no delays, no hooks; `over` changes any of it. */
export function atomicSpec(name: string, destinations: string[], over: Partial<GroupSpec> = {}): GroupSpec {
  return {
    name,
    sources: ['em0'],
    destinations,
    policy: { kind: 'all' },
    delays: { down: 0, up: 0 },
    action: { kind: 'admin' },
    hooks: [],
    atomic: {},
    ...over,
  };
}
