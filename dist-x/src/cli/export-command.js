import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseDocument, stringify } from 'yaml';
import { PROCESS_SETTINGS, TABLE_KEYS } from '../rules/rule-table.js';
import { CliError } from './cli-error.js';
import { DEFAULT_CONFIG, withReader } from './connection.js';
const SETTINGS = PROCESS_SETTINGS;
/**
 * The process settings as written in the rule file, `${VAR}` references
 * kept: an export must not copy a secret the file only refers to.
 */
async function settingsAsWritten(file) {
    let text;
    try {
        text = await readFile(file, 'utf8');
    }
    catch (err) {
        throw new CliError(`cannot read the rule file ${file} for its process settings (${err.code ?? err.message})`);
    }
    const doc = parseDocument(text);
    if (doc.errors.length)
        throw new CliError(`${file} is not valid YAML (${doc.errors[0].message.split('\n')[0]}); it is read only for its process settings`);
    const raw = (doc.toJS() ?? {});
    const out = {};
    for (const k of PROCESS_SETTINGS)
        if (raw[k] !== undefined)
            out[k] = raw[k];
    return out;
}
export function revisionYaml(rev, settings, settingsFrom) {
    const doc = { ...settings };
    for (const k of TABLE_KEYS)
        if (rev.table[k] !== undefined)
            doc[k] = rev.table[k];
    const header = [
        `# strangler rule file: revision ${rev.n} (${rev.source}, by ${rev.author}, ${rev.createdAt})`,
        `# ${rev.message.replace(/\s+/g, ' ')}`,
        settingsFrom ? `# process settings (${SETTINGS.join(', ')}) as written in ${settingsFrom}` : '# process settings: the defaults (listen 127.0.0.1:8080, admin 127.0.0.1:8081, database ./strangler.db)',
    ];
    return `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
}
/** `strangler export`: the revision in force as a rule file that `strangler validate` and `start` accept. */
export async function exportRevision(opts, out) {
    const rev = await withReader(opts, async (reader) => {
        const { inForce } = await reader.revisions(1);
        if (!inForce)
            throw new CliError(`${reader.where} holds no revision yet`);
        return reader.revision(inForce);
    });
    const settingsFrom = opts.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
    const yaml = revisionYaml(rev, settingsFrom ? await settingsAsWritten(settingsFrom) : {}, settingsFrom);
    if (!opts.out) {
        out(yaml.trimEnd());
        return;
    }
    try {
        await writeFile(opts.out, yaml);
    }
    catch (err) {
        throw new CliError(`cannot write ${opts.out} (${err.code ?? err.message})`);
    }
    out(`wrote revision ${rev.n} to ${opts.out}`);
}
//# sourceMappingURL=export-command.js.map