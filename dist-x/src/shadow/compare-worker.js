import { parentPort } from 'node:worker_threads';
import { compareResponses } from './compare.js';
// Buffers cross the thread boundary as plain Uint8Arrays.
const revive = (r) => ({ ...r, body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength) });
parentPort?.on('message', (job) => {
    try {
        parentPort.postMessage({ id: job.id, result: compareResponses(revive(job.legacy), revive(job.other), job.rules) });
    }
    catch (err) {
        parentPort.postMessage({ id: job.id, error: err.message });
    }
});
//# sourceMappingURL=compare-worker.js.map