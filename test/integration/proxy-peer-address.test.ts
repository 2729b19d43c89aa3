// X-Real-IP / X-Forwarded-For for IPv6 and IPv4-mapped peers, alternating on one dual-stack listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, Agent } from 'undici';
import { closeInOrder, echoedHeader, echoHandler, simpleDocument, startPlane, startUpstream, type RunningPlane, type Upstream } from '../helpers/data-plane-harness.js';

interface Echo {
  rawHeaders: string[];
}

const client = new Agent({ keepAliveTimeout: 1000 });
let upstream: Upstream;
let gw: RunningPlane;

async function realIp(origin: string): Promise<string[]> {
  const res = await request(`${origin}/api/ip`, { dispatcher: client });
  const echo = (await res.body.json()) as Echo;
  return [...echoedHeader(echo, 'x-real-ip'), ...echoedHeader(echo, 'x-forwarded-for')];
}

beforeAll(async () => {
  upstream = await startUpstream(echoHandler());
  gw = await startPlane(simpleDocument(`${upstream.url}/svc`, [{ name: 'api', paths: ['/api'] }]), { listenHost: '::' });
});

afterAll(() => closeInOrder(gw, upstream, client));

describe('peer address headers', () => {
  it('sends ::1 for an IPv6 loopback client and 127.0.0.1 for an IPv4 one, request after request', async () => {
    const v6 = `http://[::1]:${gw.port}`;
    const v4 = `http://127.0.0.1:${gw.port}`;
    for (let i = 0; i < 3; i++) {
      expect(await realIp(v6)).toEqual(['::1', '::1']);
      expect(await realIp(v4)).toEqual(['127.0.0.1', '127.0.0.1']);
    }
  });
});
