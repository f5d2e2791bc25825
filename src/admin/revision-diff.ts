import { structuredPatch } from 'diff';
import { stringify } from 'yaml';
import type { Revision } from '../store/revisions.js';

/**
 * What changed between two revisions of the rule table, as a line diff of
 * their YAML: the form an operator edits in the rule file, so a diff reads
 * like the change they would have made by hand.
 */

export interface DiffLine {
  /** `+` added, `-` removed, ` ` context, `@` a hunk header. */
  op: '+' | '-' | ' ' | '@';
  text: string;
}

export interface RevisionDiff {
  from: Omit<Revision, 'table'>;
  to: Omit<Revision, 'table'>;
  changed: boolean;
  added: number;
  removed: number;
  lines: DiffLine[];
  /** The same diff as unified text, for `patch` or a review comment. */
  patch: string;
}

export const revisionYamlText = (r: Revision): string => stringify(r.table, { lineWidth: 0 });

const summary = ({ table: _table, ...rest }: Revision) => rest;

export function revisionDiff(a: Revision, b: Revision, context = 3): RevisionDiff {
  const p = structuredPatch(`revision ${a.n}`, `revision ${b.n}`, revisionYamlText(a), revisionYamlText(b), '', '', { context });
  const lines: DiffLine[] = [];
  const patch = [`--- revision ${a.n}`, `+++ revision ${b.n}`];
  let added = 0;
  let removed = 0;
  for (const h of p.hunks) {
    const header = `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;
    lines.push({ op: '@', text: header });
    patch.push(header);
    for (const l of h.lines) {
      // "\ No newline at end of file" markers say nothing about a rule table.
      if (l.startsWith('\\')) continue;
      const op = l[0] as DiffLine['op'];
      if (op === '+') added++;
      if (op === '-') removed++;
      lines.push({ op, text: l.slice(1) });
      patch.push(l);
    }
  }
  return { from: summary(a), to: summary(b), changed: p.hunks.length > 0, added, removed, lines, patch: `${patch.join('\n')}\n` };
}
