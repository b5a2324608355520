/**
 * Protodown reasons (Linux >= 5.10): a u32 on each interface, one bit per program holding
 * it protodown; the kernel refuses protodown off while any bit is set.
 */

/**
 * ifdepd's own bit unless `protodown-reason` says otherwise. Not 7, FRR zebra's default
 * (`zebra protodown reason-bit`), which vrrpd and EVPN multihoming use. Below 8 because
 * iproute2 (6.1 at least) reads the reason word as a u8 in `ip -d link show`: a higher bit
 * is set and honoured by the kernel but never shown to the operator. Not 0-3, where
 * programs that number their reasons from the bottom start.
 */
export const DEFAULT_PROTODOWN_REASON = 6;
export const MAX_PROTODOWN_REASON = 31;

export const reasonMask = (bit: number): number => (1 << bit) >>> 0;

/** The bits of a reason word, lowest first: 0x84 -> [2, 7]. */
export function reasonBits(word: number): number[] {
  const bits: number[] = [];
  for (let b = 0; b <= MAX_PROTODOWN_REASON; b++) if (((word >>> b) & 1) === 1) bits.push(b);
  return bits;
}

/** `protodown-reason N`: a decimal bit number, 0-31; throws a one-line reason otherwise. */
export function parseReasonBit(text: string): number {
  if (!/^\d{1,2}$/.test(text) || Number(text) > MAX_PROTODOWN_REASON) {
    throw new Error(`'${text.slice(0, 32)}' is not a reason bit (0-${MAX_PROTODOWN_REASON})`);
  }
  return Number(text);
}
