/** The log of every change of mode: who, when, why, and the evidence at that moment. */
export class ModeChangeStore {
    db;
    constructor(db) {
        this.db = db;
    }
    add(c, at = Date.now()) {
        const info = this.db
            .prepare(`INSERT INTO mode_changes (at, route, from_mode, to_mode, from_percent, to_percent, author, reason, forced, evidence_json, revision)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
            .run(at, c.route, c.fromMode, c.toMode, c.fromPercent, c.toPercent, c.author, c.reason, c.forced ? 1 : 0, JSON.stringify(c.evidence), c.revision);
        return Number(info.lastInsertRowid);
    }
    list(route, limit = 200) {
        const rows = (route
            ? this.db.prepare(`SELECT * FROM mode_changes WHERE route = ? ORDER BY id DESC LIMIT ?`).all(route, limit)
            : this.db.prepare(`SELECT * FROM mode_changes ORDER BY id DESC LIMIT ?`).all(limit));
        return rows.map((r) => ({
            id: r.id,
            at: new Date(r.at).toISOString(),
            route: r.route,
            fromMode: r.from_mode,
            toMode: r.to_mode,
            fromPercent: r.from_percent,
            toPercent: r.to_percent,
            author: r.author,
            reason: r.reason,
            forced: r.forced === 1,
            evidence: JSON.parse(r.evidence_json),
            revision: r.revision,
        }));
    }
}
//# sourceMappingURL=mode-changes.js.map