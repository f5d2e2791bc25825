import { api, ApiError, get, session, whenUnauthorized } from './api.js';
import { diffsPage } from './diffs-page.js';
import { fill, h, type Child } from './dom.js';
import { endpointsPage } from './endpoints-page.js';
import { historyPage } from './history-page.js';
import { overviewPage } from './overview-page.js';
import type { Page, PageContext, PageFactory } from './page.js';
import { routesPage } from './routes-page.js';
import type { Stamp } from './wire.js';
import { trafficReloadDue } from './reload-pace.js';

/**
 * The dashboard's shell: sign-in, the header, hash routing between pages,
 * and the poll that keeps the page current. The poll asks only for a small
 * stamp (the revision in force, rows written to the ledger, the last change
 * of mode) and reloads the page's data when it moves, so an idle dashboard
 * costs the proxy next to nothing. A change of rules shows at once; new
 * traffic as reload-pace.ts allows, so that a busy proxy is not asked for
 * a fresh report on every poll.
 */

const PAGES: Record<string, { title: string; page: PageFactory }> = {
  overview: { title: 'Overview', page: overviewPage },
  endpoints: { title: 'Endpoints', page: endpointsPage },
  routes: { title: 'Routes', page: routesPage },
  diffs: { title: 'Diffs', page: diffsPage },
  history: { title: 'History', page: historyPage },
};
const WINDOWS = ['1h', '24h', '7d', 'all'];
const POLL_MS = 2000;

const SINCE = 'strangler.since';

const app = document.getElementById('app')!;
let poll: number | undefined;

function signIn(message = ''): void {
  if (poll !== undefined) clearInterval(poll);
  poll = undefined;
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, autofocus: true });
  const author = h('input', { type: 'text', name: 'author', value: session.author(), placeholder: 'optional', maxlength: 80 });
  const problem = h('p', { class: 'problem', role: 'alert' }, message);
  const form = h(
    'form',
    { class: 'sign-in' },
    h('h1', null, 'strangler'),
    h('p', null, 'Sign in with the admin token. It is kept for this tab only, until you close it or sign out.'),
    h('label', null, 'Admin token', token),
    h('label', null, 'Your name, for the history of changes', author),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    problem,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api<Stamp>('GET', '/api/stamp', undefined, token.value.trim()).then(
      () => {
        session.signIn(token.value.trim(), /^[\w .@:-]{1,80}$/.test(author.value.trim()) ? author.value.trim() : '');
        shell();
      },
      (err: unknown) => fill(problem, err instanceof ApiError && err.status === 401 ? 'That is not the admin token of this strangler: the API refused it.' : `The admin API did not answer: ${(err as Error).message}`),
    );
  });
  fill(app, form);
  document.title = 'strangler: sign in';
}

function shell(): void {
  const flash = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite' });
  const main = h('main', { id: 'page' });
  const updated = h('span', { class: 'updated' });
  const since = h('select', { 'aria-label': 'Time window', onchange: () => (sessionStorage.setItem(SINCE, since.value), void refresh()) }, WINDOWS.map((w) => h('option', { value: w, selected: w === (sessionStorage.getItem(SINCE) ?? '24h') }, w === 'all' ? 'all time' : `last ${w}`)));
  const links = Object.entries(PAGES).map(([name, p]) => h('a', { href: `#/${name}`, 'data-page': name }, p.title));
  fill(
    app,
    h(
      'header',
      null,
      h('a', { class: 'brand', href: '#/overview' }, 'strangler'),
      h('nav', null, links),
      h('span', { class: 'spacer' }),
      updated,
      since,
      session.author() ? h('span', { class: 'who' }, session.author()) : null,
      h('button', { type: 'button', onclick: () => (session.signOut(), signIn()) }, 'Sign out'),
    ),
    flash,
    main,
  );

  let page: Page | undefined;
  let loading: Promise<void> | undefined;
  let again = false;
  let last: Stamp | undefined;
  let loadedAt = 0;
  let loadMs = 0;

  const showFlash = (message: Child, kind: 'ok' | 'error' = 'ok') =>
    fill(flash, h('div', { class: `flash-${kind}` }, h('span', null, message), h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => fill(flash) }, '×')));

  /** Reloads the page's data; a reload asked for while one runs happens once it ends. */
  async function refresh(): Promise<void> {
    if (loading) {
      again = true;
      return loading;
    }
    const current = page;
    loading = (async () => {
      try {
        loadedAt = Date.now();
        await current?.load();
        fill(updated, `updated ${new Date().toLocaleTimeString('en-GB')}`);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) showFlash(`Could not load the page: ${(err as Error).message}`, 'error');
      } finally {
        // A load that failed after a long wait (a read stopped at its deadline) spaces the next one out as well.
        loadMs = Date.now() - loadedAt;
      }
    })();
    await loading;
    loading = undefined;
    if (again) {
      again = false;
      await refresh();
    }
  }

  async function checkStamp(): Promise<void> {
    let stamp: Stamp;
    try {
      stamp = await get<Stamp>('/api/stamp');
    } catch {
      // A proxy restarting or a network blip: the next poll tries again, the page keeps what it shows.
      return;
    }
    const seen = last;
    if (!seen) {
      last = stamp;
      return;
    }
    const rules = stamp.revision !== seen.revision || stamp.modeChanges !== seen.modeChanges;
    const traffic = stamp.written !== seen.written;
    // Unseen traffic stays unseen (last keeps its count) until its reload happens.
    if (rules || (traffic && trafficReloadDue(Date.now() - loadedAt, loadMs))) {
      last = stamp;
      await refresh();
    }
  }

  function route(): void {
    const [name = '', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    const entry = PAGES[name];
    if (!entry) {
      location.replace('#/overview');
      return;
    }
    for (const a of links) {
      if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `strangler: ${entry.title}`;
    const root = h('div', { 'data-page': name });
    fill(main, root);
    const ctx: PageContext = {
      root,
      params,
      since: () => since.value,
      flash: showFlash,
      go: (hash) => (location.hash = hash),
      // Reload now, and take the new stamp as seen so the next poll does not reload again.
      changed: () =>
        void get<Stamp>('/api/stamp')
          .then((s) => void (last = s), () => undefined)
          .then(refresh),
    };
    page = entry.page(ctx);
    void refresh();
  }

  window.onhashchange = route;
  route();
  void checkStamp();
  poll = window.setInterval(() => {
    if (document.visibilityState === 'visible') void checkStamp();
  }, POLL_MS);
}

whenUnauthorized(() => {
  session.signOut();
  signIn('The admin API no longer accepts your token: sign in again.');
});

if (session.token()) shell();
else signIn();
