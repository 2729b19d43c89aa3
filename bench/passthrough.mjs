// Passthrough macro bench: autocannon against the direct upstream and against one data plane in front of it, same run; prints RPS, ratio, requests per gateway CPU-second.
// Usage: node bench/passthrough.mjs [--duration 10] [--connections 50] [--path /]
import { fork, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSeconds, hasTaskset } from './macro/cpu.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};

if (args[0] === '--upstream-child') {
  // A fast keep-alive upstream: uWS hello world, so the upstream is not the bottleneck.
  const { default: uws } = await import('uWebSockets.js');
  const body = 'hello world';
  uws
    .App()
    .any('/*', (res) => {
      res.end(body);
    })
    .listen('127.0.0.1', 0, (ls) => {
      process.send({ type: 'ready', port: uws.us_socket_local_port(ls) });
    });
  process.on('message', (m) => {
    if (/** @type {{ type?: string }} */ (m).type === 'stop') process.exit(0);
  });
} else {
  await main();
}

function pin(pid, cpu) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function waitReady(child) {
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

async function load(url, duration, connections) {
  const result = await autocannon({ url, duration, connections, pipelining: 1 });
  return { rps: result.requests.average, total: result.requests.total, errors: result.errors + result.non2xx, p99: result.latency.p99 };
}

async function main() {
  const duration = Number(opt('duration', '10'));
  const connections = Number(opt('connections', '50'));
  const path = opt('path', '/');
  const self = fileURLToPath(import.meta.url);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const register = `${root}test/helpers/ts-register.mjs`;
  const planeEntry = `${root}test/helpers/data-plane-child.ts`;

  const upstream = fork(self, ['--upstream-child'], { stdio: 'inherit' });
  const { port: upstreamPort } = await waitReady(upstream);
  const doc = {
    _format_version: '3.0',
    gateway: { proxy_listen: '127.0.0.1:0', admin_listen: 'off', workers: 1 },
    services: [{ name: 'bench', url: `http://127.0.0.1:${upstreamPort}`, routes: [{ name: 'all', paths: ['/'] }] }],
  };
  const gateway = fork(planeEntry, [JSON.stringify(doc)], {
    execArgv: ['--import', register, ...(process.env.PLANE_EXEC_ARGV ? process.env.PLANE_EXEC_ARGV.split(' ') : [])],
    stdio: 'inherit',
  });
  const { port: gatewayPort, info } = await waitReady(gateway);

  const pinned = !process.env.NO_PIN && hasTaskset() && pin(gateway.pid, 1) && pin(upstream.pid, 0) && pin(process.pid, 0);
  console.log(
    `engine=${info.httpEngine} pinned=${pinned ? 'gateway→cpu1, upstream+autocannon→cpu0' : 'no'} duration=${duration}s connections=${connections}`,
  );

  // Warm both (JIT, pools).
  await load(`http://127.0.0.1:${gatewayPort}${path}`, 2, connections);
  const direct = await load(`http://127.0.0.1:${upstreamPort}${path}`, duration, connections);
  const cpuBefore = cpuSeconds(gateway.pid);
  const viaGateway = await load(`http://127.0.0.1:${gatewayPort}${path}`, duration, connections);
  const cpu = cpuSeconds(gateway.pid) - cpuBefore;

  const perCpu = viaGateway.total / cpu;
  console.log(`direct upstream : ${direct.rps.toFixed(0)} req/s (p99 ${direct.p99} ms, errors ${direct.errors})`);
  console.log(`through gateway : ${viaGateway.rps.toFixed(0)} req/s (p99 ${viaGateway.p99} ms, errors ${viaGateway.errors})`);
  console.log(`ratio           : ${(viaGateway.rps / direct.rps).toFixed(2)}`);
  console.log(
    `gateway CPU     : ${cpu.toFixed(2)} s for ${viaGateway.total} requests → ${perCpu.toFixed(0)} req/CPU-s (${(1e6 / perCpu).toFixed(1)} µs/req)`,
  );

  gateway.send({ type: 'stop' });
  upstream.send({ type: 'stop' });
  await Promise.all([new Promise((r) => gateway.once('exit', r)), new Promise((r) => upstream.once('exit', r))]);
}
