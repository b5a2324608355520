// The largest configuration file ifdepd's limits allow, around the bench's own group:
// test/lab/maxconf.ts uses it too (fillers chained over interfaces that do not
// exist, every glob starting with '*', comments up to the size limit).
export function maximalConfig(head, headGroups, headNames, { MAX_FILE_BYTES, MAX_GLOBS, MAX_GROUPS, MAX_NAMES }) {
  const fillers = MAX_GROUPS - headGroups;
  let budget = MAX_NAMES - headNames;
  const groups = [];
  for (let i = 0; i < fillers; i += 1) {
    const glob = i < MAX_GLOBS ? ` "*y${i}"` : '';
    const perList = Math.floor(budget / (fillers - i) / 2);
    const sources = Array.from({ length: perList - (glob ? 1 : 0) }, (_, j) => `f${i}x${j}`).join(' ') + glob;
    const destinations = Array.from({ length: perList }, (_, j) => `f${i + 1}x${j}`).join(' ');
    budget -= 2 * perList;
    groups.push(`group filler${i} {\n    sources ${sources}\n    destinations ${destinations}\n    down-delay 0\n}\n`);
  }
  const text = `${head}${groups.join('')}`;
  const comment = `# ${'-'.repeat(1000)}\n`;
  const room = MAX_FILE_BYTES - Buffer.byteLength(text) - 1;
  return `${text}${comment.repeat(Math.floor(room / comment.length))}`;
}
