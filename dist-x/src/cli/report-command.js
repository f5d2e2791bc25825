import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { isFailing, underComparison } from '../report/endpoint-selection.js';
import { gateIsSet, gateLines, gateOf, gateReasons } from '../report/gate.js';
import { renderHtml } from '../report/render-html.js';
import { renderJunit } from '../report/render-junit.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { renderText } from '../report/render-text.js';
import { samplesToShow } from '../report/sample-choice.js';
import { AlreadyReported, CliError, USAGE_EXIT } from './cli-error.js';
import { withReadOptions, withReader } from './connection.js';
import { windowArg } from './window-arg.js';
/**
 * `strangler report`: the report document, filtered, rendered in one of
 * five formats, to stdout or a file, and optionally judged as a CI gate.
 * Exit status: 0; 1 when the gate fails (or the report cannot be read);
 * 2 when the command is used wrongly, so a pipeline can tell a failing
 * migration from a broken job.
 */
export const FORMATS = ['text', 'json', 'md', 'html', 'junit'];
/** Usage errors of this command exit 2 (commander's own exit 1 would read as a failed gate). */
export function usageExitsWith2(cmd) {
    return cmd.exitOverride((err) => {
        throw new AlreadyReported(err.exitCode === 0 ? 0 : USAGE_EXIT);
    });
}
function formatArg(value) {
    const f = value === 'markdown' ? 'md' : value;
    if (!FORMATS.includes(f))
        throw new InvalidArgumentError(`use one of ${FORMATS.join(', ')}`);
    return f;
}
function percentArg(value) {
    const n = Number(value.replace(/%$/, ''));
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
        throw new InvalidArgumentError('a net match rate in percent, from 0 to 100, such as 99.5');
    return n;
}
function countArg(value) {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < 0)
        throw new InvalidArgumentError('a whole number of compared samples, 0 or more');
    return n;
}
export const targetUrl = (t) => (t === undefined ? null : typeof t === 'string' ? t : t.url);
/** Base URLs for curl: legacy and each service, from the rules in force. */
export async function replayTargets(reader) {
    const routes = await reader.routes();
    const services = {};
    for (const [name, t] of Object.entries(routes.services)) {
        const url = targetUrl(t);
        if (url)
            services[name] = url;
    }
    return { legacy: targetUrl(routes.legacy), services };
}
/** The samples the HTML shows, a few requests at a time. */
async function fetchSamples(reader, doc) {
    const ids = doc.endpoints.filter(underComparison).flatMap((e) => samplesToShow(e));
    const found = new Map();
    let next = 0;
    const worker = async () => {
        while (next < ids.length) {
            const id = ids[next++];
            const s = await reader.sample(id);
            if (s)
                found.set(id, s);
        }
    };
    await Promise.all(Array.from({ length: Math.min(8, ids.length) }, worker));
    return found;
}
function textOptions(opts, io, source) {
    const toTerminal = opts.out === undefined && io.terminal.tty;
    const env = io.terminal.env;
    const columns = toTerminal ? io.terminal.columns : Number(env.COLUMNS) || undefined;
    // NO_COLOR and FORCE_COLOR as most command-line tools read them (no-color.org).
    const color = env.NO_COLOR ? false : env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' ? true : toTerminal;
    return { width: columns && columns > 0 ? columns : Infinity, color, source };
}
export async function runReport(opts, io) {
    const gate = { failUnder: opts.failUnder, minSamples: opts.minSamples };
    await withReader(opts, async (reader) => {
        const full = await reader.report({ since: opts.since, route: opts.route, endpoint: opts.endpoint });
        const doc = opts.onlyFailing
            ? { ...full, endpoints: full.endpoints.filter((e) => isFailing(e) || (underComparison(e) && gateReasons(e, gate).length > 0)) }
            : full;
        let rendered;
        switch (opts.format) {
            case 'json':
                rendered = JSON.stringify(doc, null, 2) + '\n';
                break;
            case 'md':
                rendered = renderMarkdown(doc);
                break;
            case 'junit':
                rendered = renderJunit(doc, gate);
                break;
            case 'html':
                rendered = renderHtml(doc, { samples: await fetchSamples(reader, doc), targets: await replayTargets(reader), source: reader.where });
                break;
            case 'text':
                rendered = renderText(doc, textOptions(opts, io, reader.where)) + '\n';
                break;
        }
        if (opts.out === undefined) {
            io.out(rendered.replace(/\n$/, ''));
        }
        else {
            try {
                await writeFile(opts.out, rendered);
            }
            catch (err) {
                throw new CliError(`cannot write the report to ${opts.out}: ${err.message}`);
            }
            io.out(`wrote ${opts.out}: ${opts.format} report of ${doc.endpoints.length} endpoint${doc.endpoints.length === 1 ? '' : 's'}`);
        }
        if (!gateIsSet(gate))
            return;
        const result = gateOf(full.endpoints, gate);
        const lines = gateLines(result, gate);
        if (result.judged === 0 || result.failing.length > 0)
            throw new CliError(lines.join('\n'));
        io.warn(lines.join('\n'));
    });
}
export function addReportCommand(program, io) {
    usageExitsWith2(withReadOptions(program
        .command('report')
        .description('the shadow diff report: per endpoint, compared requests, net match rate, readiness and difference groups; a CI gate')
        .option('-f, --format <format>', `${FORMATS.join(', ')}`, formatArg, 'text')
        .option('-o, --out <file>', 'write the report to this file instead of stdout')
        .option('--since <window>', 'window: 30m, 24h, 7d, all or an ISO time', windowArg, 'all')
        .option('--route <name>', 'only this route')
        .option('--endpoint <endpoint>', 'only this endpoint: "GET /api/orders/{id}" or a path template')
        .option('--only-failing', 'only endpoints under comparison that are not ready (or fail the gate)')
        .option('--fail-under <percent>', 'CI gate: exit 1 when an endpoint under comparison has a lower net match rate', percentArg)
        .option('--min-samples <n>', 'CI gate: exit 1 when an endpoint under comparison has fewer compared samples', countArg))).action(async (opts) => {
        await runReport(opts, io);
    });
}
//# sourceMappingURL=report-command.js.map