import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
const START_TIMEOUT_MS = 15_000;
const ASK_TIMEOUT_MS = 5_000;
export async function startChild(name, file, args = []) {
    const path = fileURLToPath(new URL(file, import.meta.url));
    const proc = spawn(process.execPath, [path, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    const port = await readPort(name, proc);
    return {
        name,
        pid: proc.pid,
        port,
        usage: () => ask(name, proc, 'usage'),
        ask: (type) => ask(name, proc, type),
        stop: () => stopChild(proc),
    };
}
function readPort(name, proc) {
    return new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error(`${name} did not print its port within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
        const fail = (err) => {
            clearTimeout(timer);
            proc.kill('SIGKILL');
            reject(err);
        };
        proc.once('exit', (code, signal) => fail(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`)));
        proc.stdout.on('data', (chunk) => {
            out += chunk.toString();
            const nl = out.indexOf('\n');
            if (nl === -1)
                return;
            clearTimeout(timer);
            proc.removeAllListeners('exit');
            const port = Number(out.slice(0, nl));
            if (Number.isInteger(port) && port > 0)
                resolve(port);
            else
                fail(new Error(`${name} printed "${out.slice(0, nl)}" instead of a port`));
        });
    });
}
function ask(name, proc, type) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            proc.off('message', onMessage);
            reject(new Error(`${name} did not answer "${type}" within ${ASK_TIMEOUT_MS} ms`));
        }, ASK_TIMEOUT_MS);
        const onMessage = (msg) => {
            if (msg?.type !== type)
                return;
            clearTimeout(timer);
            proc.off('message', onMessage);
            resolve(msg);
        };
        proc.on('message', onMessage);
        proc.send({ type });
    });
}
/** Disconnecting asks the child to exit; SIGKILL by pid if it has not after a second. */
function stopChild(proc) {
    if (proc.exitCode !== null || proc.signalCode !== null)
        return Promise.resolve();
    return new Promise((resolve) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 1_000);
        proc.once('exit', () => {
            clearTimeout(timer);
            resolve();
        });
        if (proc.connected)
            proc.disconnect();
        else
            proc.kill('SIGTERM');
    });
}
//# sourceMappingURL=children.js.map