/** Small named values the ledger keeps about itself (the generated admin token, for one). */
export function getMeta(db, key) {
    const row = db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key);
    return row?.value;
}
export function setMeta(db, key, value) {
    db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
}
//# sourceMappingURL=meta.js.map