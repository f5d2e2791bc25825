import { escapeHtml as esc } from '../../report/side-by-side.js';
/**
 * The Overview's charts as inline SVG markup: no chart library, no canvas,
 * nothing to load. Pure functions of the series (every label escaped), so
 * the charts are the same wherever they are drawn. Each bar and point has
 * a <title> that the browser shows on hover.
 */
const W = 720;
const H = 180;
const L = 44;
const R = 8;
const T = 8;
const B = 22;
const PLOT_W = W - L - R;
const PLOT_H = H - T - B;
const LEGACY_COLOUR = '#8c959f';
const PALETTE = ['#0969da', '#1a7f37', '#bf3989', '#9a6700', '#8250df', '#cf222e', '#1b7c83', '#bc4c00'];
/** Legacy grey at the bottom, then the services in name order, each with its colour. */
export function ordered(names) {
    const rest = names.filter((n) => n !== 'legacy').sort();
    return [...(names.includes('legacy') ? [{ name: 'legacy', colour: LEGACY_COLOUR }] : []), ...rest.map((name, i) => ({ name, colour: PALETTE[i % PALETTE.length] }))];
}
const x = (i, n) => L + (n <= 1 ? PLOT_W / 2 : (i / (n - 1)) * PLOT_W);
const fmt = (v) => Math.round(v * 10) / 10;
function frame(title, yTicks, points, label, body) {
    const grid = yTicks
        .map((t) => `<line class="grid" x1="${L}" x2="${W - R}" y1="${fmt(t.y)}" y2="${fmt(t.y)}"/><text class="tick" x="${L - 6}" y="${fmt(t.y + 4)}" text-anchor="end">${esc(t.label)}</text>`)
        .join('');
    const n = points.length;
    const xLabels = [...new Set([0, Math.floor((n - 1) / 2), n - 1])]
        .filter((i) => i >= 0 && i < n)
        .map((i, k, all) => {
        const anchor = all.length > 1 && k === 0 ? 'start' : k === all.length - 1 && all.length > 1 ? 'end' : 'middle';
        return `<text class="tick" x="${fmt(x(i, n))}" y="${H - 6}" text-anchor="${anchor}">${esc(label(points[i]))}</text>`;
    })
        .join('');
    return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${grid}${body}${xLabels}</svg>`;
}
/**
 * The share of requests each target answered, per point, as stacked
 * columns that reach 100% wherever there was traffic.
 */
export function shareChartSvg(title, points, byTarget, total, label) {
    const n = points.length;
    const slot = PLOT_W / Math.max(n, 1);
    const bar = Math.max(1, slot * 0.8);
    const targets = ordered(Object.keys(byTarget));
    let body = '';
    for (let i = 0; i < n; i++) {
        const t = total[i] ?? 0;
        if (!t)
            continue;
        let top = T + PLOT_H;
        for (const { name, colour } of targets) {
            const v = byTarget[name]?.[i] ?? 0;
            if (!v)
                continue;
            const hgt = (v / t) * PLOT_H;
            top -= hgt;
            const share = fmt((v / t) * 100);
            body += `<rect class="bar" data-target="${esc(name)}" x="${fmt(L + i * slot + (slot - bar) / 2)}" y="${fmt(top)}" width="${fmt(bar)}" height="${fmt(hgt)}" fill="${colour}"><title>${esc(`${label(points[i])} · ${name}: ${share}% (${v} of ${t})`)}</title></rect>`;
        }
    }
    const ticks = [0, 50, 100].map((v) => ({ value: v, y: T + PLOT_H - (v / 100) * PLOT_H, label: `${v}%` }));
    return frame(title, ticks, points, label, body);
}
/** Lines in percent (a gap where a value is null); the axis starts at the lowest ten below the data, so 97% and 100% stay apart. */
export function percentChartSvg(title, points, series, label) {
    const values = series.flatMap((s) => s.values.filter((v) => v !== null));
    const lo = values.length ? Math.min(90, Math.floor(Math.min(...values) / 10) * 10) : 0;
    const y = (v) => T + PLOT_H - ((v - lo) / (100 - lo)) * PLOT_H;
    const n = points.length;
    const colours = ordered(series.map((s) => s.name));
    let body = '';
    for (const s of series) {
        const colour = colours.find((c) => c.name === s.name).colour;
        let run = [];
        const flush = () => {
            if (run.length > 1)
                body += `<polyline class="line" data-series="${esc(s.name)}" fill="none" stroke="${colour}" stroke-width="2" points="${run.join(' ')}"/>`;
            run = [];
        };
        s.values.forEach((v, i) => {
            if (v === null)
                return flush();
            run.push(`${fmt(x(i, n))},${fmt(y(v))}`);
            body += `<circle class="point" data-series="${esc(s.name)}" cx="${fmt(x(i, n))}" cy="${fmt(y(v))}" r="2.5" fill="${colour}"><title>${esc(`${label(points[i])} · ${s.name}: ${v}%`)}</title></circle>`;
        });
        flush();
    }
    const ticks = [lo, (lo + 100) / 2, 100].map((v) => ({ value: v, y: y(v), label: `${fmt(v)}%` }));
    return frame(title, ticks, points, label, body);
}
/** The colour key under a chart. */
export function legendHtml(names) {
    return `<ul class="legend">${ordered(names)
        .map((c) => `<li><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="${c.colour}"/></svg>${esc(c.name)}</li>`)
        .join('')}</ul>`;
}
//# sourceMappingURL=charts.js.map