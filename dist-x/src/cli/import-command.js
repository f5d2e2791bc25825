import { readFile } from 'node:fs/promises';
import { parseOpenApiText } from '../progress/openapi.js';
import { formatRuleErrors } from '../rules/load.js';
import { openDatabase } from '../store/open-database.js';
import { TrafficStore } from '../store/traffic.js';
import { CliError } from './cli-error.js';
import { databaseFile } from './connection.js';
/**
 * `strangler endpoints import openapi.yaml`: seeds the inventory with the
 * endpoints the monolith documents, so one that no client called yet still
 * counts as work to do. It writes the database file directly: seeding
 * changes no routing, and SQLite's WAL lets it run beside a live proxy.
 */
export async function importOpenApi(file, opts, out, warn) {
    let text;
    try {
        text = await readFile(file, 'utf8');
    }
    catch (err) {
        const code = err.code;
        throw new CliError(code === 'ENOENT' ? `${file}: the file does not exist` : `${file}: cannot be read (${code ?? err.message})`);
    }
    const parsed = parseOpenApiText(text, file);
    if (!parsed.ok)
        throw new CliError(`${file} cannot be imported; nothing was imported\n${formatRuleErrors(parsed.errors)}`);
    for (const w of parsed.warnings)
        warn(`strangler: ${w}`);
    const dbFile = await databaseFile(opts);
    if (dbFile === undefined) {
        throw new CliError('endpoints import writes the database file: pass --db FILE, or --config FILE (or run where strangler.yaml is)');
    }
    if (dbFile === ':memory:')
        throw new CliError('the rule file keeps its database in memory; there is no file to import into');
    let db;
    try {
        db = openDatabase(dbFile);
    }
    catch (err) {
        throw new CliError(err.message);
    }
    try {
        const added = new TrafficStore(db).seed(parsed.endpoints);
        const known = parsed.endpoints.length - added;
        out(`imported ${parsed.endpoints.length} endpoints from ${file} into ${dbFile}: ${added} new, ${known} already known`);
    }
    finally {
        db.close();
    }
}
//# sourceMappingURL=import-command.js.map