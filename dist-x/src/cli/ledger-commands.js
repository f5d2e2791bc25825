import { InvalidArgumentError } from 'commander';
import { applyFile } from './apply-command.js';
import { withChangeOptions, withReadOptions, withReader } from './connection.js';
import { renderEndpoints } from './endpoints-command.js';
import { exportRevision } from './export-command.js';
import { renderModeChanges, renderRevisions } from './history-command.js';
import { importOpenApi } from './import-command.js';
import { promoteRoute } from './promote-command.js';
import { restoreRevision } from './restore-command.js';
import { renderRoutes } from './routes-command.js';
import { renderStatus } from './status-command.js';
import { windowArg } from './window-arg.js';
import { addReportCommand } from './report-command.js';
import { addSampleCommand } from './sample-command.js';
/**
 * The commands that read and change the migration ledger: the rules in
 * force, their revisions, the endpoint inventory and its traffic.
 */
const out = (s) => void process.stdout.write(s + '\n');
const warn = (s) => void process.stderr.write(s + '\n');
const json = (v) => out(JSON.stringify(v, null, 2));
function percentArg(value) {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
        throw new InvalidArgumentError('a number from 0 to 100');
    return n;
}
function positiveInt(value) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
        throw new InvalidArgumentError('a whole number, 1 or more');
    return n;
}
function sortArg(value) {
    if (value !== 'path' && value !== 'requests')
        throw new InvalidArgumentError('path or requests');
    return value;
}
export function addLedgerCommands(program) {
    withReadOptions(program
        .command('status')
        .description('migration progress: endpoints by mode, traffic served by new services, the work queue')
        .option('--since <window>', 'traffic window: 30m, 24h, 7d, all or an ISO time', windowArg, '24h')
        .option('--json', 'print JSON')).action(async (opts) => {
        await withReader(opts, async (reader) => {
            const progress = await reader.progress(opts.since);
            if (opts.json)
                json(progress);
            else
                out(renderStatus(progress, reader));
        });
    });
    const io = {
        out,
        warn,
        terminal: { tty: process.stdout.isTTY === true, columns: process.stdout.columns, env: process.env },
    };
    addReportCommand(program, io);
    addSampleCommand(program, io);
    withReadOptions(program.command('routes').description('the rule table in force: routes, their modes, services and legacy').option('--json', 'print JSON')).action(async (opts) => {
        await withReader(opts, async (reader) => {
            const routes = await reader.routes();
            if (opts.json)
                json(routes);
            else
                out(renderRoutes(routes, reader));
        });
    });
    const endpoints = withReadOptions(program
        .command('endpoints')
        .description('the endpoint inventory with its traffic; `endpoints import FILE` seeds it from OpenAPI')
        .option('--since <window>', 'traffic window: 30m, 24h, 7d, all or an ISO time', windowArg, 'all')
        .option('--sort <key>', 'path or requests', sortArg, 'path')
        .option('--json', 'print JSON')).action(async (opts) => {
        await withReader(opts, async (reader) => {
            const rows = await reader.endpoints(opts.since);
            if (opts.json)
                json(rows);
            else
                out(renderEndpoints(rows, reader, opts.since, opts.sort));
        });
    });
    endpoints
        .command('import')
        .description('seed the inventory with the endpoints of an OpenAPI 3 file (YAML or JSON), written to the database file')
        .argument('<file>', 'OpenAPI 3 document')
        .option('--db <file>', 'database file (default: the database of the rule file)')
        .option('-c, --config <file>', 'rule file whose database is used (default: strangler.yaml)')
        .action(async (file, _opts, cmd) => {
        // --db and --config may be given before `import`, where `endpoints` reads them.
        await importOpenApi(file, cmd.optsWithGlobals(), out, warn);
    });
    withReadOptions(program
        .command('history')
        .description('revisions of the rule table, newest first; --modes or --route for the changes of mode')
        .option('--limit <n>', 'revisions to show', positiveInt, 20)
        .option('--modes', 'show changes of mode (who, when, why, forced) instead of revisions')
        .option('--route <name>', 'changes of mode of one route')
        .option('--json', 'print JSON')).action(async (opts) => {
        await withReader(opts, async (reader) => {
            if (opts.modes || opts.route) {
                const changes = await reader.modeChanges(opts.route);
                if (opts.json)
                    json(changes);
                else
                    out(renderModeChanges(changes, opts.route));
                return;
            }
            const revisions = await reader.revisions(opts.limit);
            if (opts.json)
                json(revisions);
            else
                out(renderRevisions(revisions));
        });
    });
    withReadOptions(program
        .command('export')
        .description('write the revision in force as a rule file (YAML) that `strangler validate` and `start` accept')
        .option('-o, --out <file>', 'write to this file instead of stdout')).action(async (opts) => {
        await exportRevision(opts, out);
    });
    withChangeOptions(program
        .command('apply')
        .description('validate a rule file, show the plan against the table in force, and apply it through the admin API')
        .argument('<file>', 'rule file')
        .option('--dry-run', 'show the plan and change nothing')
        .option('--force', 'apply even where the guard refuses a forward move (recorded)')
        .option('-m, --message <text>', 'why, as the history records it')
        .option('--db <file>', 'with --dry-run: plan against the latest revision in this database file')).action(async (file, opts) => {
        await applyFile(file, opts, out);
    });
    withChangeOptions(program
        .command('promote')
        .description('move one route to another mode; forward moves meet the guard, rollbacks never wait')
        .argument('<route>', 'route name')
        .argument('<mode>', 'legacy, shadow, canary, service or retired')
        .option('-p, --percent <n>', 'canary share, 0 to 100', percentArg)
        .option('-r, --reason <text>', 'why, as the history records it')
        .option('--force', 'promote even where the guard refuses (recorded with the evidence)')).action(async (route, mode, opts) => {
        await promoteRoute(route, mode, opts, out);
    });
    withChangeOptions(program
        .command('restore')
        .description('put an earlier revision back in force, as a new revision')
        .argument('<rev>', 'revision number, from `strangler history`')
        .option('-r, --reason <text>', 'why, as the history records it')
        .option('--dry-run', 'show what would change and change nothing')
        .option('--force', 'restore even where the guard refuses a forward move (recorded)')).action(async (rev, opts) => {
        await restoreRevision(rev, opts, out);
    });
}
//# sourceMappingURL=ledger-commands.js.map