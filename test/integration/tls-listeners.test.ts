import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { connect } from 'node:tls';
import https from 'node:https';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { get, startTestGateway, startUpstream, stopAfterEach, tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { createTestCa, type TestCa, type TestCert } from '../helpers/tls-certs.js';
import { certificateCn, curlHttps, httpsGet } from '../helpers/tls-clients.js';
import { uwsBinaryAvailable } from '../../src/server/uws-loader.js';

let ca: TestCa;
let certs: Record<'fallback' | 'exact' | 'leading' | 'trailing' | 'rotated', TestCert>;

beforeAll(() => {
  ca = createTestCa();
  certs = {
    fallback: ca.leaf('default-cert', ['default.test', 'other.test', 'localhost']),
    exact: ca.leaf('exact-cert', ['a.example.test'], 'ec'),
    leading: ca.leaf('leading-cert', ['*.example.test']),
    trailing: ca.leaf('trailing-cert', ['shop.sample.com', 'shop.sample.org']),
    rotated: ca.leaf('rotated-cert', ['a.example.test'], 'ec'),
  };
});
afterAll(() => ca.cleanup());

const started = stopAfterEach();

function tlsConfig(upstreamPort: number, exact: TestCert = certs.exact, engine: 'uws' | 'node' = 'uws'): Record<string, unknown> {
  return {
    _format_version: '3.0',
    gateway: {
      proxy_listen: `127.0.0.1:0 engine=${engine}, 127.0.0.1:0 ssl engine=${engine}`,
      admin_listen: 'off',
      workers: 1,
      drain_timeout_ms: 2000,
      ssl_cert: certs.fallback.certFile,
      ssl_cert_key: certs.fallback.keyFile,
    },
    certificates: [
      { cert: exact.cert, key: exact.key, snis: ['a.example.test'] },
      { cert: certs.leading.cert, key: certs.leading.key, snis: [{ name: '*.example.test' }] },
      { id: '3c9a5d0e-1f2b-4c3d-8e4f-5a6b7c8d9e0f', cert: certs.trailing.cert, key: certs.trailing.key },
    ],
    // A trailing wildcard whose names no leading one also matches: uWS serves this set itself (an overlap would hand
    // the listener to the node engine, uws-plan.ts).
    snis: [{ name: 'shop.sample.*', certificate: '3c9a5d0e-1f2b-4c3d-8e4f-5a6b7c8d9e0f' }],
    services: [
      {
        name: 'svc',
        url: `http://127.0.0.1:${upstreamPort}`,
        routes: [
          { name: 'open', paths: ['/api'] },
          { name: 'secure', paths: ['/secure'], protocols: ['https'] },
          { name: 'moved', paths: ['/moved'], protocols: ['https'], https_redirect_status_code: 308 },
          { name: 'only-a', paths: ['/only-a'], protocols: ['https'], snis: ['a.example.test'] },
        ],
      },
    ],
  };
}

async function start(config?: Record<string, unknown>, engine: 'uws' | 'node' = 'uws') {
  started.upstream = await startUpstream();
  const dir = tempDir();
  const path = writeConfig(join(dir, 'kong.json'), config ?? tlsConfig(started.upstream.port, certs.exact, engine));
  const { gateway, logs } = await startTestGateway(path);
  started.gateway = gateway;
  // The shared certificate set is one uWS serves itself: a "uws" case that the node engine served would test nothing.
  if (config === undefined && engine === 'uws' && uwsBinaryAvailable())
    expect(logs.lines.filter((l) => String(l.msg).includes('served by the node engine'))).toEqual([]);
  return { gateway, path, dir, logs, plain: gateway.proxyPorts[0]!, secure: gateway.proxyPorts[1]! };
}

describe.each(['uws', 'node'] as const)('TLS on the %s engine', (engine) => {
  it("serves each SNI Kong's certificate: exact, leading wildcard, trailing wildcard, then the default", async () => {
    const { secure } = await start(undefined, engine);
    expect(await certificateCn(secure, 'a.example.test')).toBe('exact-cert');
    expect(await certificateCn(secure, 'b.example.test')).toBe('leading-cert');
    expect(await certificateCn(secure, 'shop.sample.org')).toBe('trailing-cert');
    expect(await certificateCn(secure, 'x.b.example.test')).toBe('default-cert');
    expect(await certificateCn(secure, 'other.test')).toBe('default-cert');
    expect(await certificateCn(secure, null)).toBe('default-cert');
  });

  it('proxies curl and node https clients with X-Forwarded-Proto https and the TLS port', async () => {
    const { secure } = await start(undefined, engine);
    const viaCurl = await curlHttps(secure, 'a.example.test', '/api/x', ca.caFile);
    expect(viaCurl.status).toBe(200);
    const seen = started.upstream!.seen.at(-1)!;
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-port']).toBe(String(secure));
    const viaNode = await httpsGet(secure, 'b.example.test', '/api/y', ca.caPem);
    expect(viaNode).toMatchObject({ status: 200, cn: 'leading-cert' });
    expect(['TLSv1.2', 'TLSv1.3']).toContain(viaNode.protocol);
    // curl verifies the chain and the name against the test CA: a wrong certificate would fail here.
    expect((await curlHttps(secure, 'shop.sample.org', '/api/z', ca.caFile)).status).toBe(200);
  });

  it('refuses TLS 1.1 and accepts 1.2 and 1.3', async () => {
    const { secure } = await start(undefined, engine);
    await expect(
      httpsGet(secure, 'other.test', '/api', ca.caPem, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }),
    ).rejects.toThrow();
    expect((await httpsGet(secure, 'other.test', '/api', ca.caPem, { maxVersion: 'TLSv1.2' })).protocol).toBe('TLSv1.2');
    expect((await httpsGet(secure, 'other.test', '/api', ca.caPem, { minVersion: 'TLSv1.3' })).protocol).toBe('TLSv1.3');
  });

  it('resumes TLS 1.2 sessions', async () => {
    const { secure } = await start(undefined, engine);
    const first = await new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: secure, servername: 'other.test', ca: ca.caPem, maxVersion: 'TLSv1.2' }, () => {
        const session = s.getSession()!;
        s.end();
        resolve(session);
      });
      s.on('error', reject);
    });
    const reused = await new Promise<boolean>((resolve, reject) => {
      const s = connect(
        { host: '127.0.0.1', port: secure, servername: 'other.test', ca: ca.caPem, maxVersion: 'TLSv1.2', session: first },
        () => {
          resolve(s.isSessionReused());
          s.end();
        },
      );
      s.on('error', reject);
    });
    expect(reused).toBe(true);
  });

  it("answers plain HTTP on an https-only route with Kong's 426, or the route's redirect", async () => {
    const { plain, secure } = await start(undefined, engine);
    const upgrade = await get(plain, '/secure/x');
    expect(upgrade.status).toBe(426);
    expect(JSON.parse(upgrade.body)).toEqual({ message: 'Please use HTTPS protocol' });
    const moved = await get(plain, '/moved/x?q=1');
    expect(moved.status).toBe(308);
    expect(moved.headers.location).toBe('https://127.0.0.1/moved/x?q=1');
    expect((await get(plain, '/api/x')).status).toBe(200);
    expect((await curlHttps(secure, 'other.test', '/secure/x', ca.caFile)).status).toBe(200);
  });

  it('matches route snis against the SNI of the connection', async () => {
    const { secure, plain } = await start(undefined, engine);
    expect((await curlHttps(secure, 'a.example.test', '/only-a', ca.caFile)).status).toBe(200);
    expect((await curlHttps(secure, 'b.example.test', '/only-a', ca.caFile)).status).toBe(404);
    expect((await get(plain, '/only-a')).status).toBe(404);
  });

  it('rotates a certificate on reload while handshakes run, with no failed handshake (uWS: at most one reset, of a handshake the old socket was completing) and open connections kept', async () => {
    const { gateway, path, secure } = await start(undefined, engine);
    // A keep-alive connection opened before the rotation keeps being served after it.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const before = await httpsGet(secure, 'a.example.test', '/api/ka', ca.caPem, { agent });
    expect(before.cn).toBe('exact-cert');
    let failures = 0;
    // uWS: the old listen socket closes once its accept queue is empty, but a connection whose handshake the kernel is
    // completing at that instant is still reset (README, TLS "Rotation"); counted apart, and nothing else may fail.
    const resets: string[] = [];
    const failed = (error: unknown): void => {
      const code = (error as { code?: string }).code ?? String(error);
      if (engine === 'uws' && (code === 'ECONNRESET' || code === 'EPIPE')) resets.push(code);
      else failures++;
    };
    let done = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        try {
          const r = await httpsGet(secure, 'a.example.test', '/api/load', ca.caPem);
          if (r.status !== 200) failures++;
        } catch (error) {
          failed(error);
        }
        done++;
      }
    })();
    const loads = Promise.all([
      load,
      (async () => {
        while (running) {
          try {
            await httpsGet(secure, 'b.example.test', '/api/l2', ca.caPem);
          } catch (error) {
            failed(error);
          }
          done++;
        }
      })(),
    ]);
    while (done < 10) await new Promise((r) => setImmediate(r));
    writeConfig(path, tlsConfig(started.upstream!.port, certs.rotated, engine));
    expect((await gateway.reload()).ok).toBe(true);
    const atReload = done;
    while (done < atReload + 10) await new Promise((r) => setImmediate(r));
    running = false;
    await loads;
    expect(failures).toBe(0);
    expect(resets.length).toBeLessThanOrEqual(1);
    expect(await certificateCn(secure, 'a.example.test')).toBe('rotated-cert');
    const after = await httpsGet(secure, 'a.example.test', '/api/ka', ca.caPem, { agent });
    expect(after.status).toBe(200);
    agent.destroy();
  });
});

describe.each(['uws', 'node'] as const)('TLS certificates by SNI with no route using snis, %s engine', (engine) => {
  it('proxies requests on every certificate: exact, leading and trailing wildcard names, and the default', async () => {
    started.upstream = await startUpstream();
    // Only the route without protocols or snis, so nothing needs the SNI in routing, from the start.
    const config = tlsConfig(started.upstream.port, certs.exact, engine);
    const service = (config.services as Array<{ routes: Array<{ name: string }> }>)[0]!;
    service.routes = service.routes.filter((r) => r.name === 'open');
    const { gateway, logs } = await startTestGateway(writeConfig(join(tempDir(), 'kong.json'), config));
    expect(logs.lines.filter((l) => String(l.msg).includes('served by the node engine'))).toEqual([]);
    started.gateway = gateway;
    const secure = gateway.proxyPorts[1]!;
    for (const [servername, cn] of [
      ['a.example.test', 'exact-cert'],
      ['b.example.test', 'leading-cert'],
      ['shop.sample.org', 'trailing-cert'],
      ['other.test', 'default-cert'],
    ] as const) {
      const reply = await httpsGet(secure, servername, '/api/by-sni', ca.caPem);
      expect([servername, reply.cn, reply.status]).toEqual([servername, cn, 200]);
    }
  });
});

describe.skipIf(!uwsBinaryAvailable())('client addresses on a uWS TLS listener', () => {
  const sources = ['127.0.3.10', '127.0.3.11', '127.0.3.12', '127.0.3.13'];

  it("sends each TLS client's own address upstream, before and after new certificates take the port over", async () => {
    const { gateway, path, logs, secure } = await start();
    const realIps = async (): Promise<string[]> => {
      const seen = started.upstream!.seen;
      const from = seen.length;
      for (const localAddress of sources) {
        expect((await httpsGet(secure, 'a.example.test', '/api/ip', ca.caPem, { localAddress })).status).toBe(200);
      }
      return seen.slice(from).map((r) => `${String(r.headers['x-real-ip'])} ${String(r.headers['x-forwarded-for'])}`);
    };
    const expected = sources.map((a) => `${a} ${a}`);
    expect(await realIps()).toEqual(expected);
    writeConfig(path, tlsConfig(started.upstream!.port, certs.rotated));
    expect((await gateway.reload()).ok).toBe(true);
    expect(await certificateCn(secure, 'a.example.test')).toBe('rotated-cert');
    expect(await realIps()).toEqual(expected);
    // A hook that could not start on either app would say so here; that the addresses come from the recording, not
    // from uWS, is what uws-peer-addresses.test.ts checks (this gateway's workers are out of the test's reach).
    expect(logs.lines.filter((l) => String(l.msg).includes('the client address is read per request'))).toEqual([]);
  });
});

function adminCall(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent: false, headers: data ? { 'content-type': 'application/json' } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('Admin API: /certificates and /snis', () => {
  it('creates, lists, updates and deletes certificates and snis, persisted, and serves the new certificate at once', async () => {
    const upstream = await startUpstream();
    const config = tlsConfig(upstream.port);
    (config.gateway as Record<string, unknown>).admin_listen = '127.0.0.1:0';
    config.certificates = [];
    config.snis = [];
    const { gateway, path, secure } = await start(config);
    const admin = gateway.adminPort!;
    await upstream.close();
    expect(await certificateCn(secure, 'a.example.test')).toBe('default-cert');

    const created = await adminCall(admin, 'POST', '/certificates', {
      cert: certs.exact.cert,
      key: certs.exact.key,
      snis: ['a.example.test'],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.snis).toEqual(['a.example.test']);
    const id = created.json.id as string;
    expect(await certificateCn(secure, 'a.example.test')).toBe('exact-cert');

    const nested = await adminCall(admin, 'POST', `/certificates/${id}/snis`, { name: '*.example.test' });
    expect(nested.status).toBe(201);
    expect(nested.json).toMatchObject({ name: '*.example.test', certificate: { id } });
    expect(await certificateCn(secure, 'q.example.test')).toBe('exact-cert');
    const list = await adminCall(admin, 'GET', '/snis');
    expect((list.json.data as Array<{ name: string }>).map((s) => s.name).sort()).toEqual(['*.example.test', 'a.example.test']);
    expect((await adminCall(admin, 'GET', '/snis/a.example.test')).json).toMatchObject({ name: 'a.example.test', certificate: { id } });

    const duplicate = await adminCall(admin, 'POST', '/snis', { name: 'a.example.test', certificate: { id } });
    expect(duplicate.status).toBe(409);
    const bad = await adminCall(admin, 'POST', '/certificates', { cert: certs.exact.cert, key: certs.leading.key });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('certificate does not match key');

    const patched = await adminCall(admin, 'PATCH', `/certificates/${id}`, { cert: certs.rotated.cert, key: certs.rotated.key });
    expect(patched.status).toBe(200);
    expect(await certificateCn(secure, 'a.example.test')).toBe('rotated-cert');
    expect(readFileSync(path, 'utf8')).toContain('*.example.test');

    expect((await adminCall(admin, 'DELETE', `/certificates/${id}`)).status).toBe(204);
    expect((await adminCall(admin, 'GET', '/snis')).json.data).toEqual([]);
    expect(await certificateCn(secure, 'a.example.test')).toBe('default-cert');
  });
});

describe('two key types for one name', () => {
  const RSA_ONLY_TLS12 = [
    '-tls1_2',
    '-sigalgs',
    'RSA-PSS+SHA256:RSA+SHA256',
    '-cipher',
    'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384',
  ];
  const RSA_ONLY_TLS13 = ['-tls1_3', '-sigalgs', 'rsa_pss_rsae_sha256'];

  it.each([
    ['rsa', 'ec'],
    ['ec', 'rsa'],
  ] as const)(
    'serves cert (%s) or cert_alt (%s) by the key types the client accepts, on the node engine that uWS hands the listener to',
    async (primary, alt) => {
      const upstream = await startUpstream();
      const main = ca.leaf(`dual-${primary}`, ['dual.example.test'], primary);
      const other = ca.leaf(`dual-${alt}`, ['dual.example.test'], alt);
      const config = tlsConfig(upstream.port);
      await upstream.close();
      config.certificates = [{ cert: main.cert, key: main.key, cert_alt: other.cert, key_alt: other.key, snis: ['dual.example.test'] }];
      config.snis = [];
      const { secure, logs } = await start(config);
      // Without a uWS binary for this Node (Node 22+) every listener is the node engine's anyway: nothing is handed over.
      if (uwsBinaryAvailable())
        expect(logs.lines.some((l) => String(l.msg).includes('served by the node engine because uWS cannot'))).toBe(true);
      const rsaCn = primary === 'rsa' ? `dual-${primary}` : `dual-${alt}`;
      const ecCn = primary === 'ec' ? `dual-${primary}` : `dual-${alt}`;
      expect(await certificateCn(secure, 'dual.example.test', ['-sigalgs', 'ECDSA+SHA256'])).toBe(ecCn);
      expect(await certificateCn(secure, 'dual.example.test', ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'])).toBe(ecCn);
      expect(await certificateCn(secure, 'dual.example.test', RSA_ONLY_TLS12)).toBe(rsaCn);
      expect(await certificateCn(secure, 'dual.example.test', RSA_ONLY_TLS13)).toBe(rsaCn);
      // A client that accepts both gets one of the pair (OpenSSL's choice, as with Kong), never the default.
      expect([rsaCn, ecCn]).toContain(await certificateCn(secure, 'dual.example.test'));
      expect([rsaCn, ecCn]).toContain(await certificateCn(secure, 'dual.example.test', ['-tls1_2']));
    },
  );

  it('serves the RSA or ECDSA default certificate (two ssl_cert entries) by the client, with and without SNI', async () => {
    const upstream = await startUpstream();
    const rsa = ca.leaf('default-rsa', ['default.test'], 'rsa');
    const ec = ca.leaf('default-ec', ['default.test'], 'ec');
    const config = tlsConfig(upstream.port);
    await upstream.close();
    const gateway = config.gateway as Record<string, unknown>;
    gateway.ssl_cert = [ec.certFile, rsa.certFile];
    gateway.ssl_cert_key = [ec.keyFile, rsa.keyFile];
    const { secure } = await start(config);
    for (const name of ['unmatched.test', null]) {
      expect(await certificateCn(secure, name, RSA_ONLY_TLS12)).toBe('default-rsa');
      expect(await certificateCn(secure, name, RSA_ONLY_TLS13)).toBe('default-rsa');
      expect(await certificateCn(secure, name, ['-sigalgs', 'ECDSA+SHA256'])).toBe('default-ec');
    }
    // An SNI with one certificate still gets it.
    expect(await certificateCn(secure, 'a.example.test', ['-sigalgs', 'ECDSA+SHA256'])).toBe('exact-cert');
    expect(await certificateCn(secure, 'b.example.test', RSA_ONLY_TLS13)).toBe('leading-cert');
  });
});
