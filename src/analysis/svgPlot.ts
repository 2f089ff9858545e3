/**
 * A small SVG line plot for reports: curves, optional ±bands, axes with ticks, a legend. Pure
 * string building, so reports render anywhere (GitHub, a browser) without a plotting library.
 */
export interface PlotLine {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  /** Half-width of a shaded band around y (e.g. the trial s.d.). */
  band?: ArrayLike<number>;
  dashed?: boolean;
  /** Draw each point as a marker instead of joining the points by a line. */
  marker?: 'filled' | 'open';
  /** With a marker: join the points by a line as well. */
  joined?: boolean;
  /** Half-length of an error bar at each point (y ± e); NaN: none there. */
  errorBars?: ArrayLike<number>;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  logY?: boolean;
  /** Logarithmic x axis (decade ticks); x must be positive. */
  logX?: boolean;
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / n));
  const mult = [1, 2, 5, 10].find((m) => span / (m * step) <= n) ?? 10;
  const s = mult * step;
  const out: number[] = [];
  for (let v = Math.ceil(lo / s) * s; v <= hi + 1e-9 * span; v += s) out.push(+v.toPrecision(12));
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A line plot as SVG text: one curve (with an optional band) per line, axes, ticks and a legend. */
export function linePlotSvg(lines: PlotLine[], o: PlotOptions): string {
  const W = o.width ?? 780;
  const H = o.height ?? 360;
  const m = { l: 70, r: 200, t: 30, b: 45 };
  const tr = (v: number) => (o.logY ? Math.log10(Math.max(v, 1e-300)) : v);
  const tx = (v: number) => (o.logX ? Math.log10(Math.max(v, 1e-300)) : v);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const l of lines) {
    for (let i = 0; i < l.x.length; i++) {
      const e = l.errorBars && Number.isFinite(l.errorBars[i]) ? l.errorBars[i] : 0;
      const b = Math.max(l.band ? l.band[i] : 0, e);
      x0 = Math.min(x0, tx(l.x[i]));
      x1 = Math.max(x1, tx(l.x[i]));
      y0 = Math.min(y0, tr(l.y[i] - b > 0 || !o.logY ? l.y[i] - b : l.y[i]));
      y1 = Math.max(y1, tr(l.y[i] + b));
    }
  }
  if (!o.logY) y0 = Math.min(y0, 0);
  const pad = (y1 - y0) * 0.05 || 1;
  y1 += pad;
  if (o.logY) y0 -= pad;
  const px = (x: number) => m.l + ((tx(x) - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((tr(y) - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const path = (xs: ArrayLike<number>, ys: ArrayLike<number>) =>
    Array.from({ length: xs.length }, (_, i) => `${i === 0 ? 'M' : 'L'}${px(xs[i]).toFixed(1)},${py(ys[i]).toFixed(1)}`).join('');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="18" font-size="13">${esc(o.title)}</text>`,
  ];
  for (const l of lines) {
    if (!l.band) continue;
    const up = Array.from({ length: l.x.length }, (_, i) => l.y[i] + l.band![i]);
    const lo = Array.from({ length: l.x.length }, (_, i) => l.y[i] - l.band![i]);
    const poly = [
      ...Array.from({ length: l.x.length }, (_, i) => `${px(l.x[i]).toFixed(1)},${py(up[i]).toFixed(1)}`),
      ...Array.from({ length: l.x.length }, (_, i) => l.x.length - 1 - i).map((i) => `${px(l.x[i]).toFixed(1)},${py(lo[i]).toFixed(1)}`),
    ].join(' ');
    parts.push(`<polygon points="${poly}" fill="${l.color}" fill-opacity="0.15" stroke="none"/>`);
  }
  const dot = (l: PlotLine, x: number, y: number) =>
    `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${l.marker === 'filled' ? l.color : 'white'}" stroke="${l.color}"/>`;
  for (const l of lines) {
    if (!l.errorBars) continue;
    for (let i = 0; i < l.x.length; i++) {
      const e = l.errorBars[i];
      if (!Number.isFinite(e) || e <= 0) continue;
      const x = px(l.x[i]).toFixed(1);
      const lo = py(l.y[i] - e).toFixed(1);
      const hi = py(l.y[i] + e).toFixed(1);
      const cap = (y: string) => `M${(px(l.x[i]) - 3).toFixed(1)},${y}h6`;
      parts.push(`<path d="M${x},${lo}V${hi}${cap(lo)}${cap(hi)}" fill="none" stroke="${l.color}" stroke-width="1"/>`);
    }
  }
  for (const l of lines) {
    if (l.marker && l.joined)
      parts.push(`<path d="${path(l.x, l.y)}" fill="none" stroke="${l.color}" stroke-width="1.4"${l.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    if (l.marker) for (let i = 0; i < l.x.length; i++) parts.push(dot(l, px(l.x[i]), py(l.y[i])));
    else parts.push(`<path d="${path(l.x, l.y)}" fill="none" stroke="${l.color}" stroke-width="1.4"${l.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
  }
  parts.push(
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`,
  );
  if (o.logX) {
    for (let e = Math.ceil(x0 - 1e-9); e <= Math.floor(x1 + 1e-9); e++)
      parts.push(`<text x="${px(10 ** e).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">1e${e}</text>`);
  } else {
    for (const v of niceTicks(x0, x1)) parts.push(`<text x="${px(v).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${v}</text>`);
  }
  if (o.logY) {
    // Whole decades only, labelled 1e−k.
    for (let e = Math.ceil(y0); e <= Math.floor(y1); e++)
      parts.push(`<text x="${m.l - 6}" y="${(py(10 ** e) + 4).toFixed(1)}" text-anchor="end">1e${e}</text>`);
  } else {
    for (const v of niceTicks(y0, y1)) parts.push(`<text x="${m.l - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${+v.toPrecision(3)}</text>`);
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text x="16" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.t + H - m.b) / 2})">${esc(o.yLabel)}</text>`);
  lines.forEach((l, i) => {
    const y = m.t + 14 + 18 * i;
    const key = l.marker
      ? dot(l, W - m.r + 22, y - 4)
      : `<line x1="${W - m.r + 10}" y1="${y - 4}" x2="${W - m.r + 34}" y2="${y - 4}" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5,3"' : ''}/>`;
    parts.push(key, `<text x="${W - m.r + 40}" y="${y}">${esc(l.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
