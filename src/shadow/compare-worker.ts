import { parentPort } from 'node:worker_threads';
import type { CompareRules } from '../rules/schema.js';
import { compareResponses } from './compare.js';
import type { CapturedResponse } from './types.js';

/** The comparison thread: big bodies are parsed and walked here, never on the data plane's event loop. */

interface Job {
  id: number;
  legacy: CapturedResponse;
  other: CapturedResponse;
  rules: CompareRules;
}

// Buffers cross the thread boundary as plain Uint8Arrays.
const revive = (r: CapturedResponse): CapturedResponse => ({ ...r, body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength) });

parentPort?.on('message', (job: Job) => {
  try {
    parentPort!.postMessage({ id: job.id, result: compareResponses(revive(job.legacy), revive(job.other), job.rules) });
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: (err as Error).message });
  }
});
