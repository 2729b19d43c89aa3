// authorizer_listen through the real supervisor: every worker thread binds it, metrics count its decisions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  gatewayConfig,
  get,
  startTestGateway,
  startUpstream,
  stopAfterEach,
  tempDir,
  writeConfig,
  type Reply,
} from '../helpers/gateway-harness.js';

const started = stopAfterEach();

/** One subrequest in Traefik's shape on a fresh connection (so connections spread over workers). */
function forwardAuth(port: number, uri: string): Promise<Reply> {
  return get(port, '/', {
    'x-forwarded-method': 'GET',
    'x-forwarded-host': 'app.test',
    'x-forwarded-proto': 'https',
    'x-forwarded-uri': uri,
  });
}

describe('authorizer_listen in the gateway', () => {
  it('is served by every worker on one port, and its decisions are counted by result and reason', async () => {
    const upstream = await startUpstream();
    started.upstream = upstream;
    const config = gatewayConfig(upstream.port, ['/open'], { workers: 2, authorizer_listen: '127.0.0.1:0' });
    (config.services as Array<{ routes: unknown[] }>)[0]!.routes.push({ name: 'secure', paths: ['/secure'], plugins: [{ name: 'jwt' }] });
    const { gateway, logs } = await startTestGateway(writeConfig(join(tempDir(), 'kong.json'), config));
    started.gateway = gateway;
    expect(gateway.authorizerPort).toBeGreaterThan(0);
    expect(gateway.authorizerPort).not.toBe(gateway.proxyPort);
    const line = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    expect(line.authorizerListen).toBe(`127.0.0.1:${gateway.authorizerPort}`);

    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => forwardAuth(gateway.authorizerPort!, i % 2 ? '/open/x' : '/secure/x')),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([...Array(10).fill(200), ...Array(10).fill(401)]);
    expect(upstream.seen).toHaveLength(0);

    const metrics = await gateway.metrics();
    expect(metrics).toContain('portcullis_authorizer_decisions_total{result="allowed",reason="no_jwt_plugin"} 10');
    expect(metrics).toContain('portcullis_authorizer_decisions_total{result="denied",reason="no_token"} 10');
    expect(metrics).toContain('portcullis_requests_total 0');
  });

  it('writes an access-log line per answer, marked mode "authorizer" and naming the request asked about', async () => {
    const upstream = await startUpstream();
    started.upstream = upstream;
    const dir = tempDir();
    const logPath = join(dir, 'access.log');
    const config = gatewayConfig(upstream.port, ['/open'], { authorizer_listen: '127.0.0.1:0 engine=node', access_log: logPath });
    (config.services as Array<{ routes: unknown[] }>)[0]!.routes.push({ name: 'secure', paths: ['/secure'], plugins: [{ name: 'jwt' }] });
    const { gateway } = await startTestGateway(writeConfig(join(dir, 'kong.json'), config));
    started.gateway = gateway;
    expect((await forwardAuth(gateway.authorizerPort!, '/secure/x')).status).toBe(401);
    expect((await get(gateway.proxyPort, '/open/y')).status).toBe(200);
    await gateway.stop(); // flushes and closes the access log
    started.gateway = null;
    const lines = readFileSync(logPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const authz = lines.find((l) => l.mode === 'authorizer');
    expect(authz).toMatchObject({
      method: 'GET',
      path: '/secure/x',
      status: 401,
      route: 'secure',
      auth: 'no_token',
      upstream_status: null,
    });
    expect(lines.find((l) => l.path === '/open/y')?.mode).toBeUndefined();
  });

  it('stays off by default', async () => {
    const upstream = await startUpstream();
    started.upstream = upstream;
    const { gateway } = await startTestGateway(writeConfig(join(tempDir(), 'kong.json'), gatewayConfig(upstream.port, ['/open'])));
    started.gateway = gateway;
    expect(gateway.authorizerPort).toBeNull();
  });
});
