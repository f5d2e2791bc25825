import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { answer, arg } from './child-ipc.js';
import { freePort } from './free-port.js';
import type { UsageReport } from './child-ipc.js';
import { NGINX } from './nginx.js';

/**
 * nginx as the reference a reverse proxy is held to: Debian's nginx-light,
 * one worker process, HTTP/1.1 keep-alive to the upstream (`keepalive 64`),
 * access log off. This process only starts it and answers the parent's
 * questions with nginx's own CPU and peak RSS, read from /proc (the
 * master, which only waits, plus the one worker).
 */

const target = new URL(arg('target'));


const dir = mkdtempSync(path.join(tmpdir(), 'strangler-bench-nginx-'));
const port = await freePort();
writeFileSync(
  path.join(dir, 'nginx.conf'),
  `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000;
  upstream backend {
    server ${target.hostname}:${target.port};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
    }
  }
}
`,
);

const nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
/** Stops nginx (the master takes its worker along) and waits for it, so no process outlives the benchmark. */
async function cleanUp(): Promise<void> {
  if (nginx.exitCode === null && nginx.signalCode === null) {
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The worker's pid: the master's only child. */
function pids(): number[] {
  const master = nginx.pid!;
  const children = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return [master, ...children];
}

/** utime + stime in µs, and VmHWM in KiB, summed over the processes. */
function usage(): UsageReport {
  let ticks = 0;
  let hwmKb = 0;
  for (const pid of pids()) {
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the 14th and 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    hwmKb = Math.max(hwmKb, Number(hwm?.[1] ?? 0));
  }
  // USER_HZ is 100 on Linux.
  return { type: 'usage', userUs: ticks * 10_000, systemUs: 0, maxRssKb: hwmKb, uncaught: 0 };
}

async function ready(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok && pids().length > 1) return;
    if (nginx.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start (see ${dir}/error.log)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

nginx.once('exit', (code) => {
  console.error(`nginx exited (code ${code})`);
});
await ready();
answer('usage', usage);
process.on('disconnect', () => {
  void cleanUp().then(() => process.exit(0));
});
process.stdout.write(`${port}\n`);
