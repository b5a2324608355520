// Box plots in plain SVG, log-scaled y axis: box p25..p75, line at the median,
// whisker min..p99, a dot at the max. No dependencies.
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

const COLORS = {
  ifdepd: '#1f77b4',
  'ifdepd-protodown': '#6baed6',
  'ifdepd-scraped': '#17becf',
  'ifdepd-monitored': '#9edae5',
  'floor-node': '#7f7f7f',
  'floor-group': '#bdbdbd',
  'floor-protodown': '#d9d9d9',
  'ip-monitor-sh': '#2ca02c',
  netplug: '#ff7f0e',
  'ifplugd-100ms': '#d62728',
  ifplugd: '#9467bd',
  keepalived: '#8c564b',
};

/**
 * groups: [{ label, boxes: [{ name, s: {min,p25,median,p75,p99,max,n} }] }]
 */
export function boxPlot({ title, subtitle, groups, unit = 'ms' }) {
  const boxW = 22;
  const gap = 8;
  const groupGap = 36;
  const left = 70;
  const top = 58;
  const plotH = 380;
  let x = left + 20;
  const placed = [];
  for (const g of groups) {
    const start = x;
    for (const b of g.boxes) {
      placed.push({ ...b, x });
      x += boxW + gap;
    }
    g.x0 = start;
    g.x1 = x - gap;
    x += groupGap;
  }
  const names = [...new Set(placed.map((b) => b.name))];
  const width = Math.max(x + 20, 520) + 190;
  const height = top + plotH + 70;
  const vals = placed.flatMap((b) => [b.s.min, b.s.max]).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(Math.min(...vals), 0.001))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...vals))));
  const y = (v) => top + plotH - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${left}" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`);
  if (subtitle) out.push(`<text x="${left}" y="40" fill="#555">${esc(subtitle)}</text>`);
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v > hi * 1.0001) break;
      const yy = y(v);
      out.push(`<line x1="${left}" x2="${x}" y1="${yy}" y2="${yy}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`);
      if (m === 1 || m === 5) out.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end" fill="#333">${v >= 1000 ? `${v / 1000} s` : `${v} ${unit}`}</text>`);
    }
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`);
  for (const b of placed) {
    const c = COLORS[b.name] ?? '#444';
    const cx = b.x + boxW / 2;
    const s = b.s;
    out.push(`<g><title>${esc(`${b.name} n=${s.n}: min ${s.min}, median ${s.median}, p99 ${s.p99}, max ${s.max} ${unit}`)}</title>`);
    out.push(`<line x1="${cx}" x2="${cx}" y1="${y(s.min)}" y2="${y(s.p99)}" stroke="${c}"/>`);
    out.push(`<line x1="${cx - 5}" x2="${cx + 5}" y1="${y(s.p99)}" y2="${y(s.p99)}" stroke="${c}"/>`);
    out.push(`<line x1="${cx - 5}" x2="${cx + 5}" y1="${y(s.min)}" y2="${y(s.min)}" stroke="${c}"/>`);
    const yb = y(s.p75);
    out.push(`<rect x="${b.x}" y="${yb}" width="${boxW}" height="${Math.max(1, y(s.p25) - yb)}" fill="${c}" fill-opacity="0.55" stroke="${c}"/>`);
    out.push(`<line x1="${b.x}" x2="${b.x + boxW}" y1="${y(s.median)}" y2="${y(s.median)}" stroke="black" stroke-width="2"/>`);
    out.push(`<circle cx="${cx}" cy="${y(s.max)}" r="2.5" fill="none" stroke="${c}"/>`);
    out.push(`<text x="${cx}" y="${top + plotH + 14}" text-anchor="middle" font-size="9" fill="#555">${s.n}</text></g>`);
  }
  for (const g of groups) {
    out.push(`<text x="${(g.x0 + g.x1) / 2}" y="${top + plotH + 32}" text-anchor="middle" font-weight="bold">${esc(g.label)}</text>`);
  }
  out.push(`<text x="${left - 6}" y="${top + plotH + 14}" text-anchor="end" font-size="9" fill="#555">trials</text>`);
  const lx = x + 10;
  names.forEach((n, i) => {
    out.push(`<rect x="${lx}" y="${top + i * 20}" width="14" height="14" fill="${COLORS[n] ?? '#444'}" fill-opacity="0.55" stroke="${COLORS[n] ?? '#444'}"/>`);
    out.push(`<text x="${lx + 20}" y="${top + i * 20 + 11}">${esc(n)}</text>`);
  });
  const ly = top + names.length * 20 + 16;
  out.push(`<text x="${lx}" y="${ly}" font-size="10" fill="#555">box p25–p75, bar median,</text>`);
  out.push(`<text x="${lx}" y="${ly + 13}" font-size="10" fill="#555">whisker min–p99, ○ max</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
