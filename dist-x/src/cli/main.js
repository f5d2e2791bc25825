import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { formatRuleErrors } from '../rules/load.js';
import { readRuleFile } from '../router/rule-file-watch.js';
import { explainMatch } from './match-command.js';
import { addLedgerCommands } from './ledger-commands.js';
import { DEFAULT_CONFIG } from './connection.js';
import { AlreadyReported } from './cli-error.js';
import { parseWorkersOption } from './worker-count.js';
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
function version() {
    try {
        return JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
    }
    catch {
        return '0.0.0';
    }
}
function keyValue(value, previous = {}) {
    const at = value.search(/[:=]/);
    if (at <= 0)
        throw new InvalidArgumentError(`expected NAME:VALUE, got "${value}"`);
    return { ...previous, [value.slice(0, at).trim()]: value.slice(at + 1).trim() };
}
export function buildCli() {
    const program = new Command('strangler')
        .description('A strangler-fig migration proxy in front of a legacy monolith')
        .version(version());
    program
        .command('start')
        .description('run the proxy with a rule file, following its changes')
        .option('-c, --config <file>', 'rule file', DEFAULT_CONFIG)
        .option('-l, --listen <host:port>', 'data-plane address (overrides listen in the file)')
        .option('-w, --workers <n|auto>', 'data-plane processes (overrides workers in the file); auto: one per core', parseWorkersOption)
        .action(async (opts) => {
        // Loaded here: the proxy's modules are most of the start-up time of every other command.
        const { startStrangler } = await import('./start-command.js');
        await startStrangler(opts.config, { listen: opts.listen, workers: opts.workers });
    });
    program
        .command('validate')
        .description('check a rule file; exits 1 with file:line:column and the field on error')
        .argument('[file]', 'rule file', DEFAULT_CONFIG)
        .action(async (file) => {
        const loaded = await readRuleFile(file);
        if (!loaded.ok) {
            process.stderr.write(formatRuleErrors(loaded.errors) + '\n');
            process.exitCode = 1;
            return;
        }
        const byMode = new Map();
        for (const r of loaded.rules.routes)
            byMode.set(r.mode, (byMode.get(r.mode) ?? 0) + 1);
        const modes = [...byMode].map(([m, n]) => `${n} ${m}`).join(', ');
        process.stdout.write(`${file}: valid, ${plural(loaded.rules.routes.length, 'route')}${modes ? ` (${modes})` : ''}, ${plural(Object.keys(loaded.rules.services).length, 'service')}\n`);
    });
    program
        .command('match')
        .description('show which route claims a request, and why')
        .argument('<method>', 'HTTP method')
        .argument('<path>', 'request path with optional query, e.g. /api/orders/7?x=1')
        .option('-c, --config <file>', 'rule file', DEFAULT_CONFIG)
        .option('--host <host>', 'Host header')
        .option('-H, --header <name:value>', 'a request header (repeatable)', keyValue)
        .option('--cookie <name=value>', 'a cookie (repeatable)', keyValue)
        .option('--ip <address>', 'client address, for canary stickyBy: ip')
        .action(async (method, path, opts) => {
        const loaded = await readRuleFile(opts.config);
        if (!loaded.ok) {
            process.stderr.write(formatRuleErrors(loaded.errors) + '\n');
            process.exitCode = 1;
            return;
        }
        process.stdout.write(explainMatch(loaded.rules, { method, url: path, host: opts.host, headers: opts.header, cookies: opts.cookie, ip: opts.ip }) + '\n');
    });
    addLedgerCommands(program);
    return program;
}
export async function main(argv = process.argv) {
    try {
        await buildCli().parseAsync(argv);
    }
    catch (err) {
        if (err instanceof AlreadyReported) {
            process.exitCode = err.exitCode;
            return;
        }
        const e = err;
        process.stderr.write(`strangler: ${e.message}\n`);
        process.exitCode = e.exitCode ?? 1;
    }
}
//# sourceMappingURL=main.js.map