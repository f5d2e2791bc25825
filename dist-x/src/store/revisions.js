import { tableHash } from '../rules/rule-table.js';
const toRevision = (r) => ({
    n: r.n,
    createdAt: new Date(r.created_at).toISOString(),
    source: r.source,
    author: r.author,
    message: r.message,
    hash: r.table_hash,
    table: JSON.parse(r.table_json),
});
/** Every rule table that took effect, numbered; the highest number is the one in force. */
export class RevisionStore {
    db;
    constructor(db) {
        this.db = db;
    }
    add(table, meta, at = Date.now()) {
        const hash = tableHash(table);
        const info = this.db
            .prepare(`INSERT INTO revisions (created_at, source, author, message, table_json, table_hash) VALUES (?, ?, ?, ?, ?, ?)`)
            .run(at, meta.source, meta.author, meta.message, JSON.stringify(table), hash);
        return this.get(Number(info.lastInsertRowid));
    }
    get(n) {
        const row = this.db.prepare(`SELECT * FROM revisions WHERE n = ?`).get(n);
        return row ? toRevision(row) : undefined;
    }
    latest() {
        const row = this.db.prepare(`SELECT * FROM revisions ORDER BY n DESC LIMIT 1`).get();
        return row ? toRevision(row) : undefined;
    }
    /** The newest revision that the rule file produced. */
    latestFromFile() {
        const row = this.db.prepare(`SELECT * FROM revisions WHERE source = 'file' ORDER BY n DESC LIMIT 1`).get();
        return row ? toRevision(row) : undefined;
    }
    list(limit = 100, before) {
        const rows = this.db
            .prepare(`SELECT * FROM revisions WHERE n < ? ORDER BY n DESC LIMIT ?`)
            .all(before ?? Number.MAX_SAFE_INTEGER, limit);
        return rows.map((r) => {
            const { table, ...rest } = toRevision(r);
            return { ...rest, routes: table.routes.length };
        });
    }
}
//# sourceMappingURL=revisions.js.map