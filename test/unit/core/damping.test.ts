import { describe, expect, it } from 'vitest';
import { DEFAULT_DAMPING } from '../../../src/core/spec.js';
import { ceiling, decayed, flap, initialDamping, releaseAt, settle } from '../../../src/core/damping.js';

const spec = DEFAULT_DAMPING; // penalty 1000, half-life 5 s, suppress 2000, reuse 1000, max 20 s

describe('flap damping arithmetic', () => {
  it('halves the penalty every half-life', () => {
    const s = flap(initialDamping(0), spec, 0);
    expect(s.penalty).toBe(1000);
    expect(decayed(s, spec, 5000)).toBeCloseTo(500, 6);
    expect(decayed(s, spec, 10_000)).toBeCloseTo(250, 6);
  });

  it('suppresses at the suppress threshold, not before', () => {
    const one = flap(initialDamping(0), spec, 0);
    expect(one.suppressed).toBe(false);
    const two = flap(one, spec, 0);
    expect(two.penalty).toBe(2000);
    expect(two.suppressed).toBe(true);
    // A second flap after one half-life: 500 + 1000 < 2000.
    expect(flap(one, spec, 5000).suppressed).toBe(false);
  });

  it('releases once the penalty has decayed to the reuse threshold', () => {
    const s = flap(flap(flap(initialDamping(0), spec, 0), spec, 0), spec, 0); // 3000
    const at = releaseAt(s, spec);
    // 3000 -> 1000 takes log2(3) half-lives.
    expect(at).toBe(Math.ceil(5000 * Math.log2(3)));
    expect(settle(s, spec, at - 1).suppressed).toBe(true);
    expect(settle(s, spec, at).suppressed).toBe(false);
  });

  it('caps the penalty so that no suppression outlasts max-suppress', () => {
    let s = initialDamping(0);
    for (let i = 0; i < 50; i++) s = flap(s, spec, 0);
    expect(s.penalty).toBeCloseTo(ceiling(spec), 6);
    expect(ceiling(spec)).toBeCloseTo(16_000, 6); // 1000 * 2^(20/5)
    expect(releaseAt(s, spec)).toBeLessThanOrEqual(20_000 + 1);
    expect(settle(s, spec, 20_001).suppressed).toBe(false);
  });

  it('stays unsuppressed below the threshold however long it runs', () => {
    let s = initialDamping(0);
    for (let t = 0; t < 600_000; t += 6000) s = flap(s, spec, t);
    expect(s.suppressed).toBe(false);
  });
});
