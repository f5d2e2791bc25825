import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { LoadRun } from './load.js';

/**
 * wrk (Debian `wrk`) as the load generator. It costs a fraction of a
 * JavaScript generator's CPU per request (about 20 µs here, autocannon
 * 40–60), which matters on a small machine where the generator shares the
 * cores with the proxy it measures: what it takes the proxies cannot use,
 * and every ratio between them is squeezed towards 1.
 *
 * One thread, `connections` keep-alive connections. A small Lua script
 * prints the figures as JSON when the run ends, and, given paths, cycles
 * through them with one counter (see load.ts for why one counter), or,
 * for a steady load, waits a think time before each request.
 */

export const WRK_THREADS = 1;

export function wrkPath(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, 'wrk');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return null;
}

const REPORT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nWRK-JSON {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
`;

const PATHS = `
local paths = {}
local n = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n - 1) % #paths + 1])
end
`;

/** Think time before each request, uniform in 0.5–1.5 × THINK_MS (an environment variable, so one script serves every mean). */
const STEADY = `
local think = tonumber(os.getenv('THINK_MS'))
delay = function()
  return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
end
`;

let scripts: { plain: string; paths: string; steady: string; folder: string } | null = null;
const pathFiles = new Map<readonly string[], string>();

function script(kind: 'plain' | 'paths' | 'steady'): string {
  if (!scripts) {
    const folder = mkdtempSync(join(tmpdir(), 'strangler-wrk-'));
    process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
    scripts = { folder, plain: join(folder, 'report.lua'), paths: join(folder, 'paths.lua'), steady: join(folder, 'steady.lua') };
    writeFileSync(scripts.plain, REPORT);
    writeFileSync(scripts.paths, PATHS + REPORT);
    writeFileSync(scripts.steady, STEADY + REPORT);
  }
  return scripts[kind];
}

function pathFile(paths: readonly string[]): string {
  let file = pathFiles.get(paths);
  if (!file) {
    script('paths');
    file = join(scripts!.folder, `paths-${pathFiles.size}.txt`);
    writeFileSync(file, `${paths.join('\n')}\n`);
    pathFiles.set(paths, file);
  }
  return file;
}

/** `thinkMs`: a steady load (load.ts Steady); not with `paths`. */
export function wrkLoad(wrk: string, url: string, seconds: number, connections: number, paths?: readonly string[], thinkMs?: number): Promise<LoadRun> {
  if (paths && thinkMs !== undefined) throw new Error('wrkLoad: a steady load cycles through no paths');
  const args = [`-t${WRK_THREADS}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script(paths ? 'paths' : thinkMs !== undefined ? 'steady' : 'plain'), url];
  if (paths) args.push('--', pathFile(paths));
  const env = thinkMs !== undefined ? { ...process.env, THINK_MS: String(thinkMs) } : process.env;
  return new Promise((resolve, reject) => {
    execFile(wrk, args, { timeout: (seconds + 30) * 1000, env }, (err, stdout, stderr) => {
      const line = /WRK-JSON (\{.*\})/.exec(stdout)?.[1];
      if (err || !line) {
        reject(new Error(`wrk ${args.join(' ')} failed: ${err?.message ?? 'no report'}\n${stderr}`));
        return;
      }
      const r = JSON.parse(line) as { requests: number; durationUs: number; connect: number; read: number; write: number; status: number; timeout: number; p50Us: number; p99Us: number };
      // wrk counts a status of 400 and above as a status error; the benchmark's backends answer 200 only.
      const ok = r.requests - r.status;
      resolve({
        rps: ok / (r.durationUs / 1e6),
        p50Ms: r.p50Us / 1000,
        p99Ms: r.p99Us / 1000,
        responses: r.requests,
        errors: r.connect + r.read + r.write + r.timeout,
        non2xx: r.status,
      });
    });
  });
}
