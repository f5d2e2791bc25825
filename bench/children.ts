import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { UsageReport } from './child-ipc.js';

/**
 * The parent side of a benchmark process: start `node dist/bench/<file>.js`,
 * wait for its port, ask it for its CPU and peak RSS (or anything else it
 * answers), and stop it by pid.
 */

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  usage(): Promise<UsageReport>;
  /** Any other question the child answers (child-ipc.ts answer()). */
  ask<T extends { type: string }>(type: string): Promise<T>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;
const ASK_TIMEOUT_MS = 5_000;

export interface ChildOptions {
  /** Added to this process's environment. */
  readonly env?: Record<string, string>;
  /** node's own flags, before the script (`--no-memory-reducer`). */
  readonly nodeFlags?: readonly string[];
}

export async function startChild(name: string, file: string, args: string[] = [], { env = {}, nodeFlags = [] }: ChildOptions = {}): Promise<Child> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const proc = spawn(process.execPath, [...nodeFlags, path, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  const port = await readPort(name, proc);
  return {
    name,
    pid: proc.pid!,
    port,
    usage: () => ask<UsageReport>(name, proc, 'usage'),
    ask: (type) => ask(name, proc, type),
    stop: () => stopChild(proc),
  };
}

function readPort(name: string, proc: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`${name} did not print its port within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(err);
    };
    proc.once('exit', (code, signal) => fail(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`)));
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      const port = Number(out.slice(0, nl));
      if (Number.isInteger(port) && port > 0) resolve(port);
      else fail(new Error(`${name} printed "${out.slice(0, nl)}" instead of a port`));
    });
  });
}

function ask<T extends { type: string }>(name: string, proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.off('message', onMessage);
      reject(new Error(`${name} did not answer "${type}" within ${ASK_TIMEOUT_MS} ms`));
    }, ASK_TIMEOUT_MS);
    const onMessage = (msg: unknown) => {
      if ((msg as { type?: string } | null)?.type !== type) return;
      clearTimeout(timer);
      proc.off('message', onMessage);
      resolve(msg as T);
    };
    proc.on('message', onMessage);
    proc.send({ type });
  });
}

/** Disconnecting asks the child to exit; SIGKILL by pid if it has not after a second. */
function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 1_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (proc.connected) proc.disconnect();
    else proc.kill('SIGTERM');
  });
}
