// `npm run bench -- --tls`: the gateway's uWS engine plain vs TLS keep-alive passthrough, and TLS handshakes per CPU-second.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { cpuSeconds } from './cpu.mjs';
import { runLoad } from './load.mjs';
import { freePort, startProcess, startServer, stopProcess } from './procs.mjs';
import { waitForStatus } from './systems.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const REPO = path.resolve(HERE, '../..');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'tls');
const PASSTHROUGH = { id: 'passthrough', title: 'no-auth passthrough', path: '/open/', expect: 200 };

/** `parallel` clients, each making one request per new TLS connection (no session reuse), for `durationS`. */
async function handshakes({ port, durationS, parallel, pid }) {
  const agent = new https.Agent({ keepAlive: false, maxCachedSessions: 0 });
  const cpu0 = cpuSeconds(pid);
  const end = Date.now() + durationS * 1000;
  let done = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      const req = https.get(
        { host: '127.0.0.1', port, path: '/open/', servername: 'localhost', rejectUnauthorized: false, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) done++;
            else failed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  const cpuS = cpuSeconds(pid) - cpu0;
  agent.destroy();
  return { handshakes: done, failed, cpuS, perCpuS: cpuS > 0 ? done / cpuS : null };
}

export async function runTlsBench({ plan, durationS, connections, log }) {
  const workDir = path.join(REPO, 'bench', 'results', 'logs.tmp');
  fs.mkdirSync(workDir, { recursive: true });
  const backend = await startServer({
    name: 'upstream',
    argv: [process.execPath, path.join(HERE, 'upstream.mjs')],
    cpus: plan.upstream,
    logPath: path.join(workDir, 'upstream-tls.log'),
  });
  const [plain, secure] = [await freePort(), await freePort()];
  const configPath = path.join(workDir, 'gateway-tls.json');
  fs.writeFileSync(
    configPath,
    JSON.stringify({
      _format_version: '3.0',
      gateway: {
        proxy_listen: `127.0.0.1:${plain}, 127.0.0.1:${secure} ssl`,
        admin_listen: 'off',
        workers: 1,
        log_level: 'warn',
        ssl_cert: path.join(FIXTURE, 'localhost.pem'),
        ssl_cert_key: path.join(FIXTURE, 'localhost.key'),
      },
      services: [{ name: 'bench-open', url: `http://127.0.0.1:${backend.port}`, routes: [{ name: 'open', paths: ['/open'] }] }],
    }),
  );
  const gateway = startProcess({
    name: 'gateway-tls',
    argv: [process.execPath, 'dist/cli.js', '--config', configPath],
    cpus: plan.sut,
    logPath: path.join(workDir, 'gateway-tls.log'),
    cwd: REPO,
  });
  try {
    if (!(await waitForStatus(`http://127.0.0.1:${plain}/open/`, 200, 20_000))) throw new Error('the TLS bench gateway did not start');
    const rows = [];
    for (const [label, url] of [
      ['uWS plain, keep-alive', `http://127.0.0.1:${plain}`],
      ['uWS TLS, keep-alive', `https://127.0.0.1:${secure}`],
    ]) {
      await runLoad({ url, scenario: PASSTHROUGH, durationS: 1, connections, pid: gateway.pid });
      const r = await runLoad({ url, scenario: PASSTHROUGH, durationS, connections, pid: gateway.pid });
      rows.push({ label, rps: r.rps, perCpuS: r.perCpuS, ok: r.ok, problems: r.problems });
      log(`${label}: ${Math.round(r.rps ?? 0)} req/s, ${Math.round(r.perCpuS ?? 0)} req/CPU-s${r.ok ? '' : ` (${r.problems.join('; ')})`}`);
    }
    const h = await handshakes({ port: secure, durationS, parallel: 8, pid: gateway.pid });
    log(
      `TLS handshakes (new connection per request): ${h.handshakes} in ${durationS} s, ${Math.round(h.perCpuS ?? 0)} per CPU-s, ${h.failed} failed`,
    );
    const ratio = rows[0].perCpuS && rows[1].perCpuS ? rows[1].perCpuS / rows[0].perCpuS : null;
    const table = [
      '| row | req/s | req/CPU-s |',
      '|---|---|---|',
      ...rows.map((r) => `| ${r.label} | ${Math.round(r.rps ?? 0)} | ${Math.round(r.perCpuS ?? 0)} |`),
      `| TLS handshakes, new connection per request | ${Math.round(h.handshakes / durationS)} | ${Math.round(h.perCpuS ?? 0)} |`,
      '',
      `TLS / plain req/CPU-s: ${ratio === null ? 'n/a' : ratio.toFixed(2)}`,
    ].join('\n');
    console.log(`\n${table}\n`);
    return rows.every((r) => r.ok) && h.failed === 0 ? 0 : 1;
  } finally {
    await stopProcess(gateway);
    await stopProcess(backend.child);
  }
}
