import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatRuleErrors, loadRuleText } from '../rules/load.js';
/** Reads and validates a rule file; a missing or unreadable file is an error at line 1. */
export async function readRuleFile(file, env = process.env) {
    let text;
    try {
        text = await readFile(file, 'utf8');
    }
    catch (err) {
        const e = err;
        const why = e.code === 'ENOENT' ? 'the file does not exist' : `it could not be read (${e.code ?? e.message})`;
        return { ok: false, errors: [{ file, line: 1, column: 1, field: '', message: why }] };
    }
    return loadRuleText(text, file, env);
}
/**
 * A valid file that could not be applied (its revision could not be stored:
 * the database read-only, locked or full) is tried again this often, so an
 * edit made during the fault takes effect once the fault clears, without
 * another edit or a SIGHUP.
 */
export const APPLY_RETRY_MS = 2_000;
/**
 * Watches a rule file and applies each valid version. The folder is
 * watched, not the file, so editors that save by rename and tools that
 * replace the file are followed. An invalid version is logged with its
 * location and the last good table keeps serving.
 */
export function watchRuleFile(file, apply, logger, onRejected, retryMs = APPLY_RETRY_MS) {
    const dir = path.dirname(path.resolve(file));
    const base = path.basename(file);
    let timer;
    let lastText;
    let running = Promise.resolve(true);
    let retry;
    /** The apply error told last, so that a fault lasting many retries is told once. */
    let applyError;
    let closed = false;
    const reload = async () => {
        clearTimeout(retry);
        const result = await readRuleFile(file);
        if (!result.ok) {
            // A half-written file often reads as invalid for a moment; say so once per distinct error.
            const text = formatRuleErrors(result.errors);
            if (text !== lastText)
                logger.error({ file, errors: result.errors }, `rule file rejected, the last good rules keep serving:\n${text}`);
            lastText = text;
            onRejected?.(result.errors);
            return false;
        }
        lastText = undefined;
        try {
            apply(result.rules);
        }
        catch (err) {
            const message = err.message;
            if (message !== applyError) {
                logger.error({ file, err: message, retryMs }, `rule file valid but could not be applied; the last good rules keep serving; retrying every ${retryMs / 1000} s`);
            }
            applyError = message;
            if (!closed)
                retry = setTimeout(queue, retryMs).unref();
            return false;
        }
        if (applyError !== undefined)
            logger.info({ file }, 'rule file applied after the earlier failure');
        applyError = undefined;
        logger.info({ file, routes: result.rules.routes.length }, 'rules reloaded');
        return true;
    };
    /** One reload at a time, in order, whatever started it (an edit, a retry, SIGHUP). */
    const queue = () => (running = running.then(reload, reload));
    const schedule = () => {
        clearTimeout(timer);
        // Editors write in several steps; wait for the burst to end.
        timer = setTimeout(queue, 100);
    };
    let watcher;
    try {
        watcher = watch(dir, { persistent: false }, (_event, name) => {
            if (name === null || name === base)
                schedule();
        });
        watcher.on('error', (err) => logger.error({ file, err: err.message }, 'watching the rule file failed; reload with SIGHUP'));
    }
    catch (err) {
        logger.error({ file, err: err.message }, 'cannot watch the rule file; reload with SIGHUP');
    }
    return {
        reload: queue,
        close: () => {
            closed = true;
            clearTimeout(timer);
            clearTimeout(retry);
            watcher?.close();
        },
    };
}
//# sourceMappingURL=rule-file-watch.js.map