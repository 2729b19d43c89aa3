// Upstream request headers: hop-by-hop removal, forwarded headers, Host rules, consumer header rewriting.
import { describe, expect, it } from 'vitest';
import { buildUpstreamHeaders, hostWithoutPort, type InboundRequest, type UpstreamIdentity } from '../../../src/proxy/forwarded-headers.js';
import type { CompiledConsumer, CompiledCredential, CompiledRoute } from '../../../src/config/types.js';
import type { RouteMatch } from '../../../src/routing/types.js';
import { compileDocument } from '../../helpers/data-plane-harness.js';

const config = compileDocument({
  _format_version: '3.0',
  services: [
    {
      name: 's',
      url: 'http://up.internal:8080/base',
      routes: [
        { name: 'plain', paths: ['/p'] },
        { name: 'kept', paths: ['/k'], preserve_host: true },
      ],
    },
  ],
  consumers: [{ username: 'alice', custom_id: 'c1', jwt_secrets: [{ key: 'alice-key', secret: 's', algorithm: 'HS256' }] }],
});
const routeNamed = (name: string): CompiledRoute => config.routes.find((r) => r.entity.name === name)!;
const match = (name: string, forwardedPrefix: string | null = '/p'): RouteMatch => ({
  route: routeNamed(name),
  upstreamPath: '/base/x',
  forwardedPrefix,
});
const ctx = { listenPort: '8000', via: '1.1 portcullis/0.1.0', proto: 'http' as const };

function inbound(headers: string[], host = 'Gw.Example:8000'): InboundRequest {
  return { headers, host, url: '/p/x', remoteAddress: '192.0.2.7' };
}

function toMap(flat: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    m.set(name, [...(m.get(name) ?? []), flat[i + 1]!]);
  }
  return m;
}

const credential: CompiledCredential = config.credentialsByKey.get('alice-key')!;
const consumer: CompiledConsumer = credential.consumer;
// What the auth side hands the proxy: plain prebuilt identity headers, no auth types.
const allow: UpstreamIdentity = {
  identityHeaders: [
    'X-Consumer-ID',
    consumer.entity.id,
    'X-Consumer-Username',
    'alice',
    'X-Consumer-Custom-ID',
    'c1',
    'x-credential-identifier',
    'alice-key',
  ],
  token: 't',
};

describe('buildUpstreamHeaders', () => {
  it('sends the service host header unless preserve_host keeps the client Host', () => {
    expect(toMap(buildUpstreamHeaders(inbound(['host', 'Gw.Example:8000']), match('plain'), 'id', null, null, ctx)).get('host')).toEqual([
      'up.internal:8080',
    ]);
    expect(toMap(buildUpstreamHeaders(inbound(['host', 'Gw.Example:8000']), match('kept'), 'id', null, null, ctx)).get('host')).toEqual([
      'Gw.Example:8000',
    ]);
  });

  it('appends the peer to X-Forwarded-For and replaces the other forwarded headers', () => {
    const h = toMap(
      buildUpstreamHeaders(
        inbound([
          'x-forwarded-for',
          '10.0.0.1',
          'x-forwarded-for',
          '10.0.0.2',
          'x-forwarded-proto',
          'https',
          'x-real-ip',
          '1.1.1.1',
          'x-forwarded-prefix',
          '/evil',
          'via',
          '1.0 a',
        ]),
        match('plain', null),
        'rid',
        null,
        null,
        ctx,
      ),
    );
    expect(h.get('x-forwarded-for')).toEqual(['10.0.0.1, 10.0.0.2, 192.0.2.7']);
    expect(h.get('x-forwarded-proto')).toEqual(['http']);
    expect(h.get('x-forwarded-host')).toEqual(['gw.example']);
    expect(h.get('x-forwarded-port')).toEqual(['8000']);
    expect(h.get('x-forwarded-path')).toEqual(['/p/x']);
    expect(h.get('x-forwarded-prefix')).toBeUndefined();
    expect(h.get('x-real-ip')).toEqual(['192.0.2.7']);
    expect(h.get('via')).toEqual(['1.0 a, 1.1 portcullis/0.1.0']);
    expect(h.get('x-kong-request-id')).toEqual(['rid']);
  });

  it('drops hop-by-hop headers and the ones the client Connection header names', () => {
    const h = toMap(
      buildUpstreamHeaders(
        inbound([
          'connection',
          'Keep-Alive, X-Private',
          'x-private',
          '1',
          'keep-alive',
          'timeout=1',
          'transfer-encoding',
          'chunked',
          'upgrade',
          'h2c',
          'proxy',
          'p',
          'proxy-connection',
          'close',
          'expect',
          '100-continue',
          'te',
          'gzip',
          'accept',
          '*/*',
        ]),
        match('plain'),
        'id',
        null,
        null,
        ctx,
      ),
    );
    for (const name of [
      'connection',
      'x-private',
      'keep-alive',
      'transfer-encoding',
      'upgrade',
      'proxy',
      'proxy-connection',
      'expect',
      'te',
    ]) {
      expect(h.get(name), name).toBeUndefined();
    }
    expect(h.get('accept')).toEqual(['*/*']);
  });

  it('forwards TE only as trailers', () => {
    expect(toMap(buildUpstreamHeaders(inbound(['te', 'trailers, deflate']), match('plain'), 'id', null, null, ctx)).get('te')).toEqual([
      'trailers',
    ]);
  });

  it('replaces client consumer headers with the consumer and credential key on allow', () => {
    const h = toMap(
      buildUpstreamHeaders(
        inbound([
          'x-consumer-id',
          'spoof',
          'x-consumer-username',
          'spoof',
          'x-consumer-custom-id',
          'spoof',
          'x-credential-identifier',
          'spoof',
          'x-anonymous-consumer',
          'true',
          'authorization',
          'Bearer t',
        ]),
        match('plain'),
        'id',
        allow,
        null,
        ctx,
      ),
    );
    expect(h.get('x-consumer-username')).toEqual(['alice']);
    expect(h.get('x-consumer-custom-id')).toEqual(['c1']);
    expect(h.get('x-consumer-id')).toEqual([consumer.entity.id]);
    expect(h.get('x-credential-identifier')).toEqual(['alice-key']);
    expect(h.get('x-anonymous-consumer')).toBeUndefined();
    expect(h.get('authorization')).toEqual(['Bearer t']);
  });

  it('marks an anonymous allow with X-Anonymous-Consumer and no credential identifier', () => {
    const anon: UpstreamIdentity = { identityHeaders: ['X-Consumer-ID', consumer.entity.id, 'x-anonymous-consumer', 'true'], token: null };
    const h = toMap(buildUpstreamHeaders(inbound(['x-credential-identifier', 'spoof']), match('plain'), 'id', anon, null, ctx));
    expect(h.get('x-anonymous-consumer')).toEqual(['true']);
    expect(h.get('x-credential-identifier')).toBeUndefined();
  });

  it('leaves client consumer headers untouched when the jwt stage did not run', () => {
    const h = toMap(buildUpstreamHeaders(inbound(['x-consumer-id', 'client']), match('plain'), 'id', null, null, ctx));
    expect(h.get('x-consumer-id')).toEqual(['client']);
  });
});

describe('hostWithoutPort', () => {
  it('lower-cases and strips the port, keeping IPv6 brackets', () => {
    expect(hostWithoutPort('Example.COM:8080')).toBe('example.com');
    expect(hostWithoutPort('example.com')).toBe('example.com');
    expect(hostWithoutPort('[::1]:8000')).toBe('[::1]');
    expect(hostWithoutPort('[::1]')).toBe('[::1]');
  });
});
