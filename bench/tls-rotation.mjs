// What a certificate rotation under load costs the clients: failed requests per rotation, by engine and kernel setting.
//
// Starts the built gateway (`npm run build:ts`) with one TLS listener, opens `--concurrency` loops of new TLS
// connections (one request each, no keep-alive) and rotates the default certificate `--rotations` times (the
// config file rewritten, then SIGHUP). Prints the requests answered, the failures by error code and the kernel's
// net.ipv4.tcp_migrate_req. Usage:
//   node bench/tls-rotation.mjs [--engine uws|node] [--workers N] [--rotations N] [--concurrency N] [--interval ms]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, sleep } from './macro/procs.mjs';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'uws' },
    workers: { type: 'string', default: '1' },
    rotations: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '48' },
    interval: { type: 'string', default: '250' },
  },
});
const engine = values.engine;
if (engine !== 'uws' && engine !== 'node') throw new Error('--engine is uws or node');
const workers = Number(values.workers);
const rotations = Number(values.rotations);
const concurrency = Number(values.concurrency);
const intervalMs = Number(values.interval);

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-rotation-'));
const certs = ['first', 'second'].map((name) => {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`],
    {
      stdio: 'ignore',
    },
  );
  return { cert, key };
});

const upstream = http.createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
await new Promise((resolve) => upstream.once('listening', resolve));
const upstreamPort = /** @type {import('node:net').AddressInfo} */ (upstream.address()).port;
const port = await freePort();
const configPath = path.join(dir, 'kong.json');
const writeConfig = (cert) =>
  fs.writeFileSync(
    configPath,
    JSON.stringify({
      _format_version: '3.0',
      gateway: {
        proxy_listen: `127.0.0.1:${port} ssl engine=${engine}`,
        admin_listen: 'off',
        workers,
        ssl_cert: cert.cert,
        ssl_cert_key: cert.key,
      },
      services: [{ name: 'upstream', url: `http://127.0.0.1:${upstreamPort}`, routes: [{ name: 'all', paths: ['/'] }] }],
    }),
  );
writeConfig(certs[0]);

const gateway = spawn(process.execPath, [path.join(repo, 'dist/cli.js'), '--config', configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
let stopping = false;
gateway.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`the gateway exited (${signal ?? code}) during the run`);
  process.exit(1);
});
await new Promise((resolve) => {
  let seen = '';
  gateway.stdout.on('data', (chunk) => {
    seen += chunk;
    if (seen.includes('portcullis started')) resolve();
  });
});
gateway.stdout.resume();

let answered = 0;
const failures = {};
let running = true;
const request = () =>
  new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) answered++;
        else failures[`HTTP ${res.statusCode}`] = (failures[`HTTP ${res.statusCode}`] ?? 0) + 1;
        resolve();
      });
    });
    req.on('error', (/** @type {NodeJS.ErrnoException} */ error) => {
      const code = error.code ?? error.message;
      failures[code] = (failures[code] ?? 0) + 1;
      resolve();
    });
  });
const loops = Array.from({ length: concurrency }, async () => {
  while (running) await request();
});
for (let i = 1; i <= rotations; i++) {
  await sleep(intervalMs);
  writeConfig(certs[i % 2]);
  gateway.kill('SIGHUP');
}
await sleep(intervalMs);
running = false;
await Promise.all(loops);
stopping = true;
gateway.kill('SIGTERM');
await new Promise((resolve) => gateway.once('exit', resolve));
upstream.close();
fs.rmSync(dir, { recursive: true, force: true });

let migrateReq = 'not readable';
try {
  migrateReq = fs.readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'utf8').trim();
} catch {}
const failed = Object.values(failures).reduce((a, b) => a + b, 0);
console.log(
  `engine ${engine}, ${workers} worker(s), tcp_migrate_req ${migrateReq}: ${rotations} rotations under ${concurrency} connecting ` +
    `clients, ${answered} requests answered, ${failed} failed (${(failed / rotations).toFixed(2)} per rotation)` +
    (failed === 0 ? '' : `: ${JSON.stringify(failures)}`),
);
