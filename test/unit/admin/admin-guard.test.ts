import { afterEach, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { createAdminGuard, hostName, type AdminGuard, type AdminGuardPolicy } from '../../../src/admin/admin-guard.js';

// The real timingSafeEqual, wrapped so the test can see every call the token check makes.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const POLICY: AdminGuardPolicy = { token: null, allowedOrigins: [], allowedHosts: [], listenHost: '127.0.0.1' };

let server: http.Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** A real node:http server whose only handler is the guard (200 "served" when admitted). */
async function serve(guard: AdminGuard): Promise<number> {
  server = http.createServer((req, res) => {
    if (!guard.admit(req, res)) return;
    req.resume();
    res.end('served');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server!.address() as AddressInfo).port;
}

/** Raw bytes on the wire, so Host can be omitted or doubled. */
function raw(port: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(head));
    let data = '';
    sock.on('data', (c) => {
      data += c.toString('latin1');
    });
    sock.on('end', () => resolve(Number(/^HTTP\/1\.\d (\d{3})/.exec(data)?.[1] ?? 0)));
    sock.on('error', reject);
  });
}

describe('admin guard: Host', () => {
  it('reads a Host value without its port or brackets, and rejects malformed ones', () => {
    expect(hostName('localhost:8001')).toBe('localhost');
    expect(hostName('[::1]:8001')).toBe('::1');
    expect(hostName('Example.COM.')).toBe('example.com');
    for (const bad of ['a b', 'user@host', 'host/path', '[::1', '']) expect(hostName(bad), bad).toBeNull();
  });

  it('passes a request without Host (HTTP/1.0) and refuses two Host headers', async () => {
    const port = await serve(createAdminGuard(POLICY));
    expect(await raw(port, 'GET /status HTTP/1.0\r\n\r\n')).toBe(200);
    expect(await raw(port, 'GET /status HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n')).toBe(403);
  });

  it('accepts the listener’s own address and other loopback literals, and a new allowed host after update', async () => {
    const guard = createAdminGuard({ ...POLICY, listenHost: '127.0.0.2' });
    const port = await serve(guard);
    const status = (host: string) => raw(port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(await status('127.0.0.2:9')).toBe(200);
    expect(await status('127.8.8.8')).toBe(200);
    expect(await status('gw.internal')).toBe(403);
    guard.update({ ...POLICY, allowedHosts: ['gw.internal'] });
    expect(await status('gw.internal:8001')).toBe(200);
    expect(guard.counters.refusedHost).toBe(1);
  });

  it('on a listener bound to every address, accepts any IP literal (a probe’s pod IP) but still no foreign name', async () => {
    const port = await serve(createAdminGuard({ ...POLICY, listenHost: '0.0.0.0' }));
    const status = (host: string) => raw(port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(await status('10.1.2.3:8100')).toBe(200);
    expect(await status('[fd00::5]:8100')).toBe(200);
    expect(await status('0.0.0.0')).toBe(200);
    expect(await status('attacker.example:8100')).toBe(403);
  });
});

describe('admin guard: token compare', () => {
  it('compares fixed-length digests with crypto.timingSafeEqual whatever the length of the presented token', async () => {
    const guard = createAdminGuard({ ...POLICY, token: 'the-right-token' });
    const port = await serve(guard);
    const spy = vi.mocked(timingSafeEqual);
    spy.mockClear();
    const presented = ['x', 'the-right-toke', 'the-right-token', 'the-right-tokenXX', 'y'.repeat(4000)];
    const statuses: number[] = [];
    for (const t of presented) {
      statuses.push(await raw(port, `GET / HTTP/1.1\r\nHost: localhost\r\nKong-Admin-Token: ${t}\r\nConnection: close\r\n\r\n`));
    }
    expect(statuses).toEqual([401, 401, 200, 401, 401]);
    expect(spy).toHaveBeenCalledTimes(presented.length);
    for (const [a, b] of spy.mock.calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
    expect(guard.counters.authFailures).toBe(4);
  });
});
