import { InvalidArgumentError, type Command } from 'commander';
import { curlCommand } from '../report/curl.js';
import { sampleParts } from '../report/sample-parts.js';
import { CliError } from './cli-error.js';
import { withReadOptions, withReader, type ConnectionOptions } from './connection.js';
import { replayTargets, usageExitsWith2, type Io } from './report-command.js';

/**
 * `strangler sample ID`: one stored sample, as JSON (what `GET
 * /api/samples/ID` answers) or, with `--curl`, as the commands that replay
 * its request against legacy and against the service, at the URLs of the
 * rules in force.
 */

type Target = 'legacy' | 'service';

export interface SampleOptions extends ConnectionOptions {
  curl?: boolean;
  target?: Target;
}

function idArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('a sample id: a whole number, as in the report\'s "samples"');
  return n;
}

function targetArg(value: string): Target {
  if (value !== 'legacy' && value !== 'service') throw new InvalidArgumentError('legacy or service');
  return value;
}

export async function runSample(id: number, opts: SampleOptions, io: Pick<Io, 'out'>): Promise<void> {
  await withReader(opts, async (reader) => {
    const sample = await reader.sample(id);
    if (!sample) throw new CliError(`no sample ${id} in ${reader.where}; sample ids are listed under each difference group of \`strangler report\``);
    if (!opts.curl && !opts.target) {
      io.out(JSON.stringify(sample, null, 2));
      return;
    }
    const parts = sampleParts(sample);
    if (!parts) throw new CliError(`sample ${id} in ${reader.where} is not in a form this strangler can replay`);
    const targets = await replayTargets(reader);
    const service = targets.services[sample.target];
    const wanted: Array<{ label: string; base: string | null; missing: string }> = [];
    if (opts.target !== 'service') wanted.push({ label: 'legacy', base: targets.legacy, missing: 'legacy has no URL in the rules in force' });
    if (opts.target !== 'legacy') {
      wanted.push({ label: sample.target, base: service ?? null, missing: `the service ${sample.target} is not in the rules in force (services: ${Object.keys(targets.services).join(', ') || 'none'})` });
    }
    const blocks: string[] = [];
    for (const w of wanted) {
      if (w.base === null) {
        // Asked for by name, a missing target is an error; in the pair, the other command is still useful.
        if (opts.target) throw new CliError(`cannot replay sample ${id} against ${opts.target}: ${w.missing}`);
        blocks.push(`# ${w.missing}: no command against it`);
        continue;
      }
      const command = curlCommand(parts.request, w.base).command;
      blocks.push(opts.target ? command : `# sample ${id} (${parts.request.method} ${parts.request.url}) against ${w.label} at ${w.base}\n${command}`);
    }
    io.out(blocks.join('\n\n'));
  });
}

export function addSampleCommand(program: Command, io: Io): void {
  usageExitsWith2(
    withReadOptions(
      program
        .command('sample')
        .description('one stored shadow sample as JSON, or with --curl as the curl commands that replay its request')
        .argument('<id>', 'sample id, from the report (differences[].samples)', idArg)
        .option('--curl', 'print curl commands against legacy and the service instead of the JSON')
        .option('--target <target>', 'with --curl, only this one: legacy or service (implies --curl)', targetArg),
    ),
  ).action(async (id: number, opts: SampleOptions) => {
    await runSample(id, opts, io);
  });
}
