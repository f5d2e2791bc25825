import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { formatRuleErrors } from '../rules/load.js';
import { parseListen } from '../router/listen-address.js';
import { readRuleFile } from '../router/rule-file-watch.js';
import { AdminClient, adminBaseUrl } from './admin-client.js';
import { apiReader } from './api-reader.js';
import { CliError } from './cli-error.js';
import { dbReader } from './db-reader.js';
import { databasePath } from './database-path.js';
/**
 * Where a command gets its data. Changes go through the admin API only,
 * so the guard, the revision log and the running data plane stay one.
 * Reads use the API when one is named (--admin or STRANGLER_ADMIN_URL)
 * and otherwise the database file, which still answers when the proxy is
 * down: --db, else the `database` of the rule file.
 */
export const DEFAULT_CONFIG = 'strangler.yaml';
export function withReadOptions(cmd) {
    return cmd
        .option('--admin <url>', 'admin API of a running proxy (env STRANGLER_ADMIN_URL); without it the database file is read')
        .option('--token <token>', 'admin token (env STRANGLER_ADMIN_TOKEN)')
        .option('--db <file>', 'read this database file instead of the API; works while the proxy is down')
        .option('-c, --config <file>', `rule file whose database is read when neither --admin nor --db is given (default: ${DEFAULT_CONFIG})`);
}
export function withChangeOptions(cmd) {
    return cmd
        .option('--admin <url>', 'admin API of the running proxy (env STRANGLER_ADMIN_URL; default: admin.listen of the rule file)')
        .option('--token <token>', 'admin token (env STRANGLER_ADMIN_TOKEN; default: admin.token of the rule file)')
        .option('-c, --config <file>', `rule file for the defaults of --admin and --token (default: ${DEFAULT_CONFIG})`)
        .option('--author <name>', 'who makes the change, as the history records it (env STRANGLER_AUTHOR; default: your user name)');
}
/** The rule file named by --config, or the default one when it exists; undefined when there is none to read. */
async function ruleFile(opts) {
    const file = opts.config ?? DEFAULT_CONFIG;
    if (opts.config === undefined && !existsSync(file))
        return undefined;
    const loaded = await readRuleFile(file);
    if (!loaded.ok)
        throw new CliError(`the rule file ${file} does not load:\n${formatRuleErrors(loaded.errors)}`);
    return { file, rules: loaded.rules };
}
function author(opts) {
    const name = opts.author ?? process.env.STRANGLER_AUTHOR ?? safeUserName() ?? 'cli';
    // The API keeps names it can print safely in a log line; others would be recorded as `api`.
    if (!/^[\w .@:-]{1,80}$/.test(name))
        throw new CliError(`--author "${name}": use letters, digits, space, ".", "@", ":", "_" or "-", at most 80`);
    return name;
}
function safeUserName() {
    try {
        return userInfo().username || undefined;
    }
    catch {
        return undefined;
    }
}
function adminFromEnv(opts) {
    if (opts.admin !== undefined)
        return { url: adminBaseUrl(opts.admin, '--admin'), token: opts.token ?? process.env.STRANGLER_ADMIN_TOKEN };
    const env = process.env.STRANGLER_ADMIN_URL;
    if (env)
        return { url: adminBaseUrl(env, 'STRANGLER_ADMIN_URL'), token: opts.token ?? process.env.STRANGLER_ADMIN_TOKEN };
    return undefined;
}
/** The admin API a changing command talks to. */
export async function adminClient(opts) {
    const named = adminFromEnv(opts);
    if (named)
        return new AdminClient(named.url, named.token, author(opts));
    const config = await ruleFile(opts);
    if (!config) {
        throw new CliError(`no admin API named: pass --admin URL or set STRANGLER_ADMIN_URL (or run where ${DEFAULT_CONFIG} is, or pass --config FILE)`);
    }
    const { host, port } = parseListen(config.rules.admin.listen);
    // A wildcard listen address accepts loopback connections.
    const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return new AdminClient(`http://${reach}:${port}`, opts.token ?? process.env.STRANGLER_ADMIN_TOKEN ?? config.rules.admin.token, author(opts));
}
/** The database file a read would use without the API, if any. */
export async function databaseFile(opts) {
    if (opts.db !== undefined)
        return opts.db;
    const config = await ruleFile(opts);
    return config ? databasePath(config.file, config.rules) : undefined;
}
export async function ledgerReader(opts) {
    if (opts.db === undefined) {
        const named = adminFromEnv(opts);
        if (named)
            return apiReader(new AdminClient(named.url, named.token, author(opts)));
    }
    const file = await databaseFile(opts);
    if (file === undefined) {
        throw new CliError(`nothing to read: pass --admin URL (or set STRANGLER_ADMIN_URL) while the proxy runs, or --db FILE; there is no ${DEFAULT_CONFIG} here to find the database from`);
    }
    if (file === ':memory:')
        throw new CliError('the rule file keeps its database in memory; only --admin URL can read it');
    return dbReader(file);
}
/** Runs `use` with a reader and closes it, whatever happens. */
export async function withReader(opts, use) {
    const reader = await ledgerReader(opts);
    try {
        return await use(reader);
    }
    finally {
        reader.close();
    }
}
//# sourceMappingURL=connection.js.map