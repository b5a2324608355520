/** Names shown in one log line; the rest are counted, so that 1,024 destinations make one short line. */
export const NAMES_SHOWN = 8;

/** "vrrp0,vrrp1", or "d0,d1,d2,d3,d4,d5,d6,d7 and 1016 more". */
export function nameList(names: readonly string[], shown = NAMES_SHOWN): string {
  if (names.length <= shown) return names.join(',');
  return `${names.slice(0, shown).join(',')} and ${names.length - shown} more`;
}
