import { InvalidArgumentError } from 'commander';
import { curlCommand } from '../report/curl.js';
import { sampleParts } from '../report/sample-parts.js';
import { CliError } from './cli-error.js';
import { withReadOptions, withReader } from './connection.js';
import { replayTargets, usageExitsWith2 } from './report-command.js';
function idArg(value) {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
        throw new InvalidArgumentError('a sample id: a whole number, as in the report\'s "samples"');
    return n;
}
function targetArg(value) {
    if (value !== 'legacy' && value !== 'service')
        throw new InvalidArgumentError('legacy or service');
    return value;
}
export async function runSample(id, opts, io) {
    await withReader(opts, async (reader) => {
        const sample = await reader.sample(id);
        if (!sample)
            throw new CliError(`no sample ${id} in ${reader.where}; sample ids are listed under each difference group of \`strangler report\``);
        if (!opts.curl && !opts.target) {
            io.out(JSON.stringify(sample, null, 2));
            return;
        }
        const parts = sampleParts(sample);
        if (!parts)
            throw new CliError(`sample ${id} in ${reader.where} is not in a form this strangler can replay`);
        const targets = await replayTargets(reader);
        const service = targets.services[sample.target];
        const wanted = [];
        if (opts.target !== 'service')
            wanted.push({ label: 'legacy', base: targets.legacy, missing: 'legacy has no URL in the rules in force' });
        if (opts.target !== 'legacy') {
            wanted.push({ label: sample.target, base: service ?? null, missing: `the service ${sample.target} is not in the rules in force (services: ${Object.keys(targets.services).join(', ') || 'none'})` });
        }
        const blocks = [];
        for (const w of wanted) {
            if (w.base === null) {
                // Asked for by name, a missing target is an error; in the pair, the other command is still useful.
                if (opts.target)
                    throw new CliError(`cannot replay sample ${id} against ${opts.target}: ${w.missing}`);
                blocks.push(`# ${w.missing}: no command against it`);
                continue;
            }
            const command = curlCommand(parts.request, w.base).command;
            blocks.push(opts.target ? command : `# sample ${id} (${parts.request.method} ${parts.request.url}) against ${w.label} at ${w.base}\n${command}`);
        }
        io.out(blocks.join('\n\n'));
    });
}
export function addSampleCommand(program, io) {
    usageExitsWith2(withReadOptions(program
        .command('sample')
        .description('one stored shadow sample as JSON, or with --curl as the curl commands that replay its request')
        .argument('<id>', 'sample id, from the report (differences[].samples)', idArg)
        .option('--curl', 'print curl commands against legacy and the service instead of the JSON')
        .option('--target <target>', 'with --curl, only this one: legacy or service (implies --curl)', targetArg))).action(async (id, opts) => {
        await runSample(id, opts, io);
    });
}
//# sourceMappingURL=sample-command.js.map