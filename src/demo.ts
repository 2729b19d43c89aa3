// `npm start`: runs the bundled demo upstream on 127.0.0.1:3000 and the gateway with examples/demo.json, prints curls to try.
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { formatConfigErrors } from './config/load.js';
import { ConfigInvalidError } from './portcullis-error.js';
import { startGateway } from './gateway.js';
import { startDemoUpstream } from './demo/upstream.js';
import { runTokenCommand } from './token/token-command.js';

const UPSTREAM = { host: '127.0.0.1', port: 3000 };
const PROXY = { host: '0.0.0.0', port: 8000 };
const ADMIN = { host: '127.0.0.1', port: 8001 };
// src/demo.ts and dist/demo.js both sit one level below the package root.
const CONFIG = fileURLToPath(new URL('../examples/demo.json', import.meta.url));

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

function fail(message: string): never {
  process.stderr.write(`portcullis demo: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  for (const [what, a] of [
    ['the demo upstream', UPSTREAM],
    ['the gateway proxy', PROXY],
    ['the gateway admin API', ADMIN],
  ] as const) {
    if (!(await portFree(a.host, a.port))) {
      fail(
        `port ${a.port} is already in use (needed by ${what} on ${a.host}:${a.port}); stop whatever uses it and run \`npm start\` again`,
      );
    }
  }
  const upstream = await startDemoUpstream(UPSTREAM.host, UPSTREAM.port);
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({ configPath: CONFIG });
  } catch (err) {
    await upstream.close();
    if (err instanceof ConfigInvalidError) fail(`examples/demo.json is invalid:\n${formatConfigErrors(err.errors)}`);
    fail(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const minted = runTokenCommand({ configPath: CONFIG, claims: ['sub=demo-user'] });
  const token = minted.ok ? minted.token : `<could not mint: ${minted.error}>`;
  process.stdout.write(`
Portcullis demo is running.
  demo upstream  http://${UPSTREAM.host}:${UPSTREAM.port}   (echoes method, path and X-Consumer-* headers)
  gateway proxy  http://localhost:${gateway.proxyPort}   (/mock needs a JWT, /open does not -> service example_service)
  admin API      http://${ADMIN.host}:${gateway.adminPort}

Try:
  curl -i http://localhost:${gateway.proxyPort}/open/hello
  curl -i http://localhost:${gateway.proxyPort}/mock/hello                 # 401 {"message":"Unauthorized"}
  curl -i http://localhost:${gateway.proxyPort}/mock/hello -H 'Authorization: Bearer ${token}'
  node dist/cli.js token --config examples/demo.json --claim sub=me   # mint another token
  curl -i http://localhost:${gateway.proxyPort}/nothing-here        # 404 no Route matched
  curl -s http://${ADMIN.host}:${gateway.adminPort}/status
  curl -s http://${ADMIN.host}:${gateway.adminPort}/metrics

Press Ctrl-C to stop.
`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    gateway
      .stop()
      .then(() => upstream.close())
      .then(
        () => process.exit(0),
        (err: unknown) => fail(`error while stopping: ${String(err)}`),
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
