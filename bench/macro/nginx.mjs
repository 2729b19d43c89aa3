// nginx for the bench (Debian's package): the backend upstream, the direct row, and an nginx `proxy_pass` peer, each one process on a free loopback port.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, startProcess, stopProcess } from './procs.mjs';

export const SMALL_JSON = '{"ok":true}\n';
export const BIG_BYTES = 64 * 1024;
export const NO_ROUTE_JSON = '{"message":"no Route matched with those values"}\n';

/** An installed binary by name: PATH first, then the sbin directories PATH often lacks; null when absent. */
export function findBinary(name) {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim() !== '') return which.stdout.trim();
  for (const dir of ['/usr/sbin', '/usr/local/sbin', '/sbin']) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** Why nginx cannot run here, or null when it can. */
export function nginxMissing() {
  return findBinary('nginx') ? null : 'nginx not found (Debian: apt-get install -y nginx)';
}

/** nginx's quoted-string escaping for `return` bodies. */
const quoted = (text) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

/**
 * One nginx config, a single process (no master, one worker: its CPU is the pid's).
 * role 'upstream': the small JSON on every path, 64 KiB (a file, sendfile) on paths ending /big.
 * role 'proxy': `proxy_pass` of /open/ to `backendPort` (prefix stripped, keep-alive pool), 404 elsewhere.
 */
export function nginxConfig({ role, port, dir, backendPort }) {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(dir, `${t}_temp`)};`);
  const server =
    role === 'upstream'
      ? [
          `    location / { default_type application/json; return 200 ${quoted(SMALL_JSON)}; }`,
          `    location ~ /big$ { default_type application/octet-stream; root ${dir}; try_files /big.bin =404; }`,
        ]
      : [
          '    location /open/ {',
          '      proxy_pass http://backend/;',
          '      proxy_http_version 1.1;',
          '      proxy_set_header Connection "";',
          '      proxy_buffer_size 16k;',
          '      proxy_buffers 8 16k;',
          '    }',
          `    location / { default_type application/json; return 404 ${quoted(NO_ROUTE_JSON)}; }`,
        ];
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    'worker_rlimit_nofile 8192;',
    `error_log ${path.join(dir, 'error.log')} warn;`,
    `pid ${path.join(dir, 'nginx.pid')};`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  keepalive_requests 10000000;',
    '  keepalive_timeout 75s;',
    '  large_client_header_buffers 4 16k;',
    '  client_max_body_size 2m;',
    ...temp,
    ...(role === 'proxy' ? [`  upstream backend { server 127.0.0.1:${backendPort}; keepalive 64; keepalive_requests 10000000; }`] : []),
    '  server {',
    `    listen 127.0.0.1:${port} backlog=4096;`,
    ...server,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Start nginx in `role` under `taskset -c cpus` in its own directory below workDir (config, 64 KiB
 * file, temp dirs, error log). Resolves to { available: true, child, pid, port } once it accepts
 * connections, or { available: false, reason } when nginx is missing or does not start.
 */
export async function startNginx({ name, role, cpus, workDir, backendPort }) {
  const binary = findBinary('nginx');
  if (!binary) return { available: false, reason: nginxMissing() };
  const dir = path.join(workDir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(BIG_BYTES, 0x61));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConfig({ role, port, dir, backendPort }));
  const logPath = path.join(dir, 'stdout.log');
  const child = startProcess({ name, argv: [binary, '-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], cpus, logPath });
  return awaitListening({ name, child, port, errorLog: path.join(dir, 'error.log') });
}

/** Wait until `child` answers HTTP on `port` (any status); on failure stop it and return the log's tail. */
export async function awaitListening({ name, child, port, errorLog, timeoutMs = 10_000 }) {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return { available: true, child, pid: child.pid, port };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await stopProcess(child);
  let tail = '';
  try {
    tail = fs.readFileSync(errorLog, 'utf8').trim().split('\n').slice(-4).join(' | ');
  } catch {
    /* no log */
  }
  return { available: false, reason: `${name} did not start${exited ? ' (exited)' : ''}${tail ? `: ${tail}` : ''}` };
}
