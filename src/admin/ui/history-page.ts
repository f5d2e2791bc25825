import { get, post } from './api.js';
import { modeBadge } from './badges.js';
import { reasonDialog } from './dialogs.js';
import { fill, h } from './dom.js';
import { ago, clock } from './format.js';
import { refusalView } from './guard-refusal.js';
import type { Page, PageContext } from './page.js';
import type { Mode, ModeChange, RevisionDiff, RevisionSummary } from './wire.js';

/** Every revision of the rules with who, when and why; the diff between any two; restore. And every change of mode. */
export function historyPage(ctx: PageContext): Page {
  let revisions: RevisionSummary[] = [];
  let inForce = 0;
  /** The pair the user asked for; until then, the revision in force against the one before. */
  let chosen: [number, number] | null = null;
  const table = h('div');
  const from = h('select', { 'aria-label': 'From revision' });
  const to = h('select', { 'aria-label': 'To revision' });
  const diff = h('div', { class: 'diff-box' });
  const modes = h('div');
  fill(
    ctx.root,
    h('h1', null, 'History'),
    table,
    h(
      'section',
      null,
      h('h2', null, 'Diff between two revisions'),
      h('div', { class: 'toolbar' }, 'from ', from, ' to ', to, h('button', { type: 'button', onclick: () => void showDiff([Number(from.value), Number(to.value)], true) }, 'Compare')),
      diff,
    ),
    h('section', null, h('h2', null, 'Changes of mode'), modes),
  );

  async function showDiff(p: [number, number], byUser: boolean): Promise<void> {
    if (byUser) chosen = p;
    from.value = String(p[0]);
    to.value = String(p[1]);
    const d = await get<RevisionDiff>(`/api/revisions/${p[0]}/diff/${p[1]}`);
    fill(
      diff,
      h('p', { class: 'note' }, `Revision ${d.from.n} → ${d.to.n}: `, d.changed ? `${d.added} line${d.added === 1 ? '' : 's'} added, ${d.removed} removed. ` : 'the rule tables are the same. ', h('em', null, d.to.message)),
      d.changed ? h('pre', { class: 'diff', 'data-diff': `${d.from.n}..${d.to.n}` }, d.lines.map((l) => h('span', { class: `line op-${l.op === '+' ? 'add' : l.op === '-' ? 'del' : l.op === '@' ? 'hunk' : 'ctx'}` }, `${l.op === '@' ? '' : l.op} ${l.text}\n`))) : null,
    );
  }

  function restoreDialog(r: RevisionSummary): void {
    reasonDialog({
      title: `Restore revision ${r.n}?`,
      text: [`Its rule table becomes a new revision, in force at once. `, h('em', null, r.message), '. A route it moves forward meets the guard on today\'s evidence.'],
      reason: `back to revision ${r.n}`,
      confirm: `Restore revision ${r.n}`,
      forceable: true,
      submit: async (reason, force) => {
        const res = await post<{ revision: number; restored: number }>(`/api/revisions/${r.n}/restore`, { reason, ...(force ? { force } : {}) });
        ctx.flash(`Revision ${res.revision} restores revision ${res.restored}.`);
        chosen = null;
        ctx.changed();
      },
      explain: refusalView,
    });
  }

  return {
    async load() {
      const [list, changes] = await Promise.all([get<{ inForce: number; revisions: RevisionSummary[] }>('/api/revisions?limit=200'), get<ModeChange[]>('/api/mode-changes')]);
      revisions = list.revisions;
      inForce = list.inForce;
      fill(
        table,
        h(
          'table',
          { class: 'data', 'data-table': 'revisions' },
          h('thead', null, h('tr', null, ['#', 'When', 'Who', 'Source', 'Why', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            null,
            revisions.map((r) =>
              h(
                'tr',
                { 'data-revision': r.n },
                h('td', { class: 'num' }, String(r.n), r.n === inForce ? h('span', { class: 'badge in-force' }, 'in force') : null),
                h('td', { title: r.createdAt }, `${clock(r.createdAt)} (${ago(r.createdAt)})`),
                h('td', null, r.author),
                h('td', null, r.source),
                h('td', { class: 'message' }, r.message),
                h(
                  'td',
                  { class: 'actions-cell' },
                  r.n > 1 ? h('button', { type: 'button', onclick: () => void showDiff([r.n - 1, r.n], true) }, 'Diff') : null,
                  r.n !== inForce ? h('button', { type: 'button', onclick: () => restoreDialog(r) }, 'Restore…') : null,
                ),
              ),
            ),
          ),
        ),
      );
      const options = revisions.map((r) => h('option', { value: r.n }, `${r.n}${r.n === inForce ? ' (in force)' : ''}`));
      fill(from, options);
      fill(to, options.map((o) => o.cloneNode(true)));
      fill(
        modes,
        changes.length
          ? h(
              'table',
              { class: 'data', 'data-table': 'mode-changes' },
              h('thead', null, h('tr', null, ['When', 'Route', 'Change', 'Who', 'Why', 'Revision'].map((c) => h('th', { scope: 'col' }, c)))),
              h(
                'tbody',
                null,
                changes.map((c) =>
                  h(
                    'tr',
                    null,
                    h('td', { title: c.at }, clock(c.at)),
                    h('td', null, c.route),
                    h('td', null, modeBadge(c.fromMode, c.fromPercent), ' → ', modeBadge(c.toMode, c.toPercent), c.forced ? h('span', { class: 'badge forced' }, 'forced') : null),
                    h('td', null, c.author),
                    h('td', { class: 'message' }, c.reason),
                    h('td', { class: 'num' }, String(c.revision)),
                  ),
                ),
              ),
            )
          : h('p', { class: 'empty' }, 'No route has changed mode yet.'),
      );
      // A new revision moves the default diff along; a pair the user chose stays.
      const p = chosen ?? (inForce > 1 ? ([inForce - 1, inForce] as [number, number]) : null);
      if (p) await showDiff(p, false);
      else fill(diff, h('p', { class: 'empty' }, 'Only one revision so far.'));
    },
  };
}
