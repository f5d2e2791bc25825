/**
 * Which rule table is in force at start, when the rule file and the admin
 * API have both produced revisions. The rule: the file wins when it has
 * changed since the last revision it produced; otherwise the newest
 * revision wins, whoever made it. The reason is logged at start.
 */
export interface RevisionRef {
  n: number;
  source: string;
  hash: string;
  author?: string;
  message?: string;
}

export type Reconciliation =
  | { action: 'file'; reason: string }
  | { action: 'keep'; n: number; reason: string };

export function reconcile(fileHash: string, latest: RevisionRef | undefined, lastFromFile: RevisionRef | undefined): Reconciliation {
  if (!latest) return { action: 'file', reason: 'first start with this database: the rule file becomes revision 1' };
  if (!lastFromFile) return { action: 'file', reason: 'no revision came from the rule file yet: it becomes the next revision' };
  if (lastFromFile.hash !== fileHash) {
    return { action: 'file', reason: `the rule file changed since revision ${lastFromFile.n}, the last one it produced: it becomes the next revision` };
  }
  if (latest.n === lastFromFile.n) {
    return { action: 'keep', n: latest.n, reason: `the rule file is unchanged: revision ${latest.n}, from the file, stays in force` };
  }
  return {
    action: 'keep',
    n: latest.n,
    reason:
      `the rule file is unchanged since revision ${lastFromFile.n}; revision ${latest.n} (${latest.source}` +
      `${latest.author ? ` by ${latest.author}` : ''}${latest.message ? `: ${latest.message}` : ''}) is newer and stays in force` +
      ` until the file changes; \`strangler export\` writes it as YAML`,
  };
}
