import { copyTargetOf } from '../../rules/copy-target.js';
import { get } from './api.js';
import { modeBadge } from './badges.js';
import { legendHtml, percentChartSvg, shareChartSvg } from './charts.js';
import { fill, h, markup } from './dom.js';
import { clock, endpointKey, int } from './format.js';
import type { Page, PageContext } from './page.js';
import type { Mode, PausedAnswer, Progress, RoutesAnswer, RouteSpec, TimeSeries } from './wire.js';

const MODES: Mode[] = ['legacy', 'shadow', 'canary', 'service', 'retired'];

/** Why a shadowed route has no new comparisons: its service failed copies in a row and the circuit breaker holds them back. */
function pausedNotice(t: PausedAnswer['paused'][number]): Node {
  const where = t.processes > 1 ? ` (in ${t.processes} workers)` : '';
  return h(
    'div',
    { class: 'paused', role: 'status', 'data-paused-target': t.target },
    h('strong', null, `Shadow copies to ${t.target} are paused${where}.`),
    ' Its copies failed in a row (timed out, refused or reset), so new ones are counted as dropped-circuit and not compared. Clients are not affected. One copy probes it every 5 to 60 s; the first answer resumes them.',
  );
}

/**
 * Why the match-rate chart is empty. With no route shadowing, the way to fill it; with shadowed routes that compared
 * nothing in the window, which routes, and the reason when it is known: their service's copies are paused.
 */
export function noComparisonsText(routes: RouteSpec[], paused: string[]): string {
  const shadowed = routes.flatMap((r) => {
    const to = copyTargetOf(r);
    return to === undefined ? [] : [{ name: r.name, to }];
  });
  if (shadowed.length === 0) return 'No shadow comparisons in this window: put a route in shadow mode to compare its service with legacy.';
  const names = shadowed.map((r) => r.name).join(', ');
  const held = [...new Set(shadowed.map((r) => r.to).filter((t) => paused.includes(t)))];
  const why = held.length ? `copies to ${held.join(', ')} are paused (see above)` : 'no request reached them, or every copy was sampled out, over budget or failed';
  return `No shadow comparisons in this window for ${shadowed.length === 1 ? 'route' : 'routes'} ${names}: ${why}.`;
}

/** How far along the migration is: endpoints by mode, the share the services serve, and both over time. */
export function overviewPage(ctx: PageContext): Page {
  const paused = h('div');
  const cards = h('div', { class: 'cards' });
  const share = h('div', { class: 'chart-box' });
  const rates = h('div', { class: 'chart-box' });
  const queue = h('div');
  fill(
    ctx.root,
    h('h1', null, 'Overview'),
    paused,
    cards,
    h('section', null, h('h2', null, 'Traffic share by target'), share),
    h('section', null, h('h2', null, 'Net match rate per route'), rates),
    h('section', null, h('h2', null, 'Work queue: the busiest endpoints still on legacy'), queue),
  );

  return {
    async load() {
      const since = ctx.since();
      const [p, ts, routes, held] = await Promise.all([
        get<Progress>(`/api/progress?since=${since}`),
        get<TimeSeries>(`/api/timeseries?since=${since}`),
        get<RoutesAnswer>('/api/routes'),
        get<PausedAnswer>('/api/shadow/paused'),
      ]);
      fill(paused, ...held.paused.map(pausedNotice));
      const card = (label: string, value: string, extra?: Node) => h('div', { class: 'card' }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value' }, value), extra);
      fill(
        cards,
        card('Endpoints', int(p.endpoints.total), h('div', { class: 'by-mode' }, MODES.map((m) => h('span', { 'data-mode-count': m }, modeBadge(m), ` ${p.endpoints.byMode[m]}`)))),
        h('div', { class: 'card', 'data-card': 'served-by-services' }, h('div', { class: 'card-label' }, 'Served by new services'), h('div', { class: 'card-value' }, `${p.traffic.servedByServicesShare}%`), h('div', { class: 'card-sub' }, `of ${int(p.traffic.total)} requests, ${p.traffic.window}`)),
        card('Routes', int(routes.routes.length), h('div', { class: 'card-sub' }, `rules: revision ${routes.revision}`)),
      );

      const label = (iso: string) => clock(iso);
      const caption = h('p', { class: 'note' }, `Since ${clock(ts.since)}, one point per ${ts.step}.`);
      if (ts.traffic.total.some((n) => n > 0)) {
        fill(share, markup('div', null, shareChartSvg('Share of requests answered by each target', ts.points, ts.traffic.byTarget, ts.traffic.total, label)), markup('div', null, legendHtml(Object.keys(ts.traffic.byTarget))), caption);
      } else fill(share, h('p', { class: 'empty' }, 'No traffic in this window.'));

      const routesSeries = Object.entries(ts.matchRate).map(([name, s]) => ({ name, values: s.netMatchRate }));
      if (routesSeries.length) {
        fill(rates, markup('div', null, percentChartSvg('Net match rate of shadow comparisons per route', ts.points, routesSeries, label)), markup('div', null, legendHtml(routesSeries.map((s) => s.name))), caption.cloneNode(true));
      } else fill(rates, h('p', { class: 'empty', 'data-empty': 'match-rate' }, noComparisonsText(routes.routes, held.paused.map((t) => t.target))));

      fill(
        queue,
        p.workQueue.length
          ? h(
              'table',
              { class: 'data' },
              h('thead', null, h('tr', null, h('th', null, 'Endpoint'), h('th', { class: 'num' }, 'Requests'))),
              h('tbody', null, p.workQueue.map((e) => h('tr', null, h('td', null, h('code', null, endpointKey(e))), h('td', { class: 'num' }, int(e.requests))))),
            )
          : h('p', { class: 'empty' }, 'No endpoint in legacy mode had traffic in this window.'),
        h('p', null, h('a', { href: '#/endpoints' }, 'All endpoints →')),
      );
    },
  };
}
