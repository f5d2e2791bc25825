import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { isMessage } from './cluster-messages.js';
import { DRAIN_MS } from './data-plane.js';
import { nextRestart } from './restart-backoff.js';
import { closeStrandedConnections } from './stranded-connections.js';
/** Answers from workers to one question wait this long at most; a worker that is restarting is left out. */
const ASK_TIMEOUT_MS = 1_000;
/** A connection the primary still holds this long after a worker's exit was dealt to the dead worker (stranded-connections.ts). */
const STRANDED_AFTER_MS = 1_000;
/** After DRAIN_MS, a worker still writing its ledger gets this much more before it is killed. */
const STOP_GRACE_MS = 5_000;
export class WorkerSupervisor {
    o;
    slots;
    stopping = false;
    asked = 0;
    answers = new Map();
    /** A revision pushed to the workers and not yet confirmed by all, with when it was pushed. */
    pushed = null;
    firstListen = null;
    onStarted = null;
    constructor(o) {
        this.o = o;
        this.slots = Array.from({ length: o.workers }, (_, i) => ({
            n: i + 1,
            worker: null,
            startedAt: 0,
            listening: false,
            revision: 0,
            failures: 0,
            restarts: 0,
            timer: null,
            failed: null,
        }));
        cluster.setupPrimary({ exec: fileURLToPath(new URL('./data-plane-worker.js', import.meta.url)), args: [] });
    }
    /** Forks every worker; resolves with the shared address once all listen, rejects (all stopped) if one cannot start. */
    start() {
        return new Promise((resolve, reject) => {
            this.onStarted = { resolve, reject };
            for (const slot of this.slots)
                this.fork(slot);
        });
    }
    listening() {
        return this.slots.filter((s) => s.listening).length;
    }
    info() {
        return this.slots.map((s) => ({ slot: s.n, pid: s.worker?.process.pid ?? null, listening: s.listening, revision: s.revision, restarts: s.restarts }));
    }
    /** A new revision is in force: every worker swaps it in; the log says when all have. */
    push(rules, revision) {
        this.pushed = { revision, at: Date.now() };
        for (const s of this.slots)
            if (s.worker && s.listening)
                this.send(s.worker, { type: 'strangler:rules', rules, revision });
        // Workers still starting asked for the rules with their hello, or will; they get this revision then.
        this.confirmPushed();
    }
    /** Asks every listening worker; answers that do not come within ASK_TIMEOUT_MS are left out. */
    async ask(what) {
        const asked = this.slots.filter((s) => s.worker && s.listening).map((s) => this.askOne(s.worker, what));
        const answers = await Promise.all(asked);
        return answers.filter((a) => a !== undefined);
    }
    /** Stops every worker: each drains, writes its ledger and exits; one that takes too long is killed. */
    async stop() {
        this.stopping = true;
        const exits = [];
        for (const s of this.slots) {
            if (s.timer)
                clearTimeout(s.timer);
            s.timer = null;
            const w = s.worker;
            if (!w || w.isDead())
                continue;
            exits.push(new Promise((resolve) => {
                const kill = setTimeout(() => {
                    this.o.logger.error({ worker: s.n, pid: w.process.pid }, `data-plane worker ${s.n} did not stop within ${(DRAIN_MS + STOP_GRACE_MS) / 1000} s; killed`);
                    w.process.kill('SIGKILL');
                }, DRAIN_MS + STOP_GRACE_MS);
                w.once('exit', () => {
                    clearTimeout(kill);
                    resolve();
                });
            }));
            if (w.isConnected())
                this.send(w, { type: 'strangler:stop' });
            else
                w.process.kill('SIGTERM');
        }
        await Promise.all(exits);
    }
    fork(slot) {
        const worker = cluster.fork();
        slot.worker = worker;
        slot.startedAt = Date.now();
        slot.listening = false;
        slot.failed = null;
        worker.on('message', (msg) => {
            if (isMessage(msg))
                this.onMessage(slot, worker, msg);
        });
        worker.once('exit', (code, signal) => this.onExit(slot, worker, code, signal));
        // An IPC error (the worker died mid-send) shows up as its exit; nothing to do here but not crash.
        worker.on('error', (err) => this.o.logger.debug({ worker: slot.n, err: err.message }, 'data-plane worker channel error'));
    }
    onMessage(slot, worker, msg) {
        switch (msg.type) {
            case 'strangler:hello': {
                const { rules, revision } = this.o.inForce();
                const start = {
                    type: 'strangler:start',
                    slot: slot.n,
                    workers: this.o.workers,
                    listen: this.o.listen,
                    database: this.o.database,
                    ledger: this.o.ledger,
                    logLevel: this.o.logLevel,
                    rules,
                    revision,
                };
                this.send(worker, start);
                return;
            }
            case 'strangler:listening': {
                slot.listening = true;
                slot.revision = msg.revision;
                this.firstListen ??= { url: msg.url, port: msg.port };
                const pid = worker.process.pid;
                if (slot.restarts > 0)
                    this.o.logger.info({ worker: slot.n, pid, revision: msg.revision }, `data-plane worker ${slot.n} is back (pid ${pid})`);
                else
                    this.o.logger.info({ worker: slot.n, pid, revision: msg.revision }, `data-plane worker ${slot.n} started (pid ${pid})`);
                // It may have started on an older revision than the one pushed since: bring it up to date.
                const now = this.o.inForce();
                if (now.revision !== msg.revision)
                    this.send(worker, { type: 'strangler:rules', rules: now.rules, revision: now.revision });
                if (this.onStarted && this.listening() === this.slots.length) {
                    this.onStarted.resolve(this.firstListen);
                    this.onStarted = null;
                }
                this.confirmPushed();
                return;
            }
            case 'strangler:applied':
                slot.revision = msg.revision;
                this.confirmPushed();
                return;
            case 'strangler:failed':
                slot.failed = msg.message;
                return;
            case 'strangler:answer':
                this.answers.get(msg.id)?.(msg.value);
                return;
        }
    }
    /** Logs once every listening worker has the pushed revision: the moment a change is in force everywhere. */
    confirmPushed() {
        const p = this.pushed;
        if (!p)
            return;
        const live = this.slots.filter((s) => s.listening);
        if (live.length === 0 || live.some((s) => s.revision !== p.revision))
            return;
        this.pushed = null;
        const ms = Date.now() - p.at;
        this.o.logger.info({ revision: p.revision, workers: live.length, ms }, `revision ${p.revision} is in force in every worker (${live.length}, ${ms} ms after it was stored)`);
    }
    onExit(slot, worker, code, signal) {
        if (slot.worker !== worker)
            return;
        slot.worker = null;
        slot.listening = false;
        if (this.stopping)
            return;
        const pid = worker.process.pid;
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (this.onStarted) {
            // At start a failure is a setting to fix (a port in use, a database that cannot open), not a crash to retry forever.
            const reject = this.onStarted.reject;
            this.onStarted = null;
            void this.stop().then(() => reject(new Error(`data-plane worker ${slot.n} could not start: ${slot.failed ?? `it exited with ${how}`}`)));
            return;
        }
        const { failures, delayMs } = nextRestart(slot, Date.now() - slot.startedAt);
        slot.failures = failures;
        slot.restarts++;
        this.o.onRestart?.();
        this.o.logger.error({ worker: slot.n, pid, code, signal, restartInMs: delayMs, quickExits: failures }, `data-plane worker ${slot.n} (pid ${pid}) exited with ${how}${slot.failed ? `: ${slot.failed}` : ''}; restarting it in ${delayMs} ms`);
        // The others hold the port meanwhile: no connection is refused, only those the dead worker had open are lost,
        // and those dealt to it as it died, which are ended rather than left hanging.
        void closeStrandedConnections(STRANDED_AFTER_MS).then((n) => {
            if (n > 0)
                this.o.logger.warn({ worker: slot.n, connections: n }, `closed ${n} connection(s) dealt to data-plane worker ${slot.n} as it exited`);
        });
        slot.timer = setTimeout(() => {
            slot.timer = null;
            if (!this.stopping)
                this.fork(slot);
        }, delayMs);
        this.confirmPushed();
    }
    askOne(worker, what) {
        const id = ++this.asked;
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                this.answers.delete(id);
                resolve(undefined);
            }, ASK_TIMEOUT_MS);
            this.answers.set(id, (value) => {
                clearTimeout(timer);
                this.answers.delete(id);
                resolve(value);
            });
            this.send(worker, { type: 'strangler:ask', id, what });
        });
    }
    send(worker, msg) {
        if (!worker.isConnected())
            return;
        try {
            worker.send(msg);
        }
        catch (err) {
            // It is dying; its exit is handled on its own.
            this.o.logger.debug({ err: err.message }, 'message to a data-plane worker not sent');
        }
    }
}
//# sourceMappingURL=worker-supervisor.js.map