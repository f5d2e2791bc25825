export function reconcile(fileHash, latest, lastFromFile) {
    if (!latest)
        return { action: 'file', reason: 'first start with this database: the rule file becomes revision 1' };
    if (!lastFromFile)
        return { action: 'file', reason: 'no revision came from the rule file yet: it becomes the next revision' };
    if (lastFromFile.hash !== fileHash) {
        return { action: 'file', reason: `the rule file changed since revision ${lastFromFile.n}, the last one it produced: it becomes the next revision` };
    }
    if (latest.n === lastFromFile.n) {
        return { action: 'keep', n: latest.n, reason: `the rule file is unchanged: revision ${latest.n}, from the file, stays in force` };
    }
    return {
        action: 'keep',
        n: latest.n,
        reason: `the rule file is unchanged since revision ${lastFromFile.n}; revision ${latest.n} (${latest.source}` +
            `${latest.author ? ` by ${latest.author}` : ''}${latest.message ? `: ${latest.message}` : ''}) is newer and stays in force` +
            ` until the file changes; \`strangler export\` writes it as YAML`,
    };
}
//# sourceMappingURL=reconcile.js.map