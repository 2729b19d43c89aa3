// gRPC services and routes in the config file: Kong's grpc subschema rules, url forms, defaults and serving warnings.
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../../src/config/compile.js';
import { errorLines, load, valid } from './helpers.js';

const h2 = { proxy_listen: '127.0.0.1:0 http2', admin_listen: 'off' };
const doc = (service: Record<string, unknown>, routes: Array<Record<string, unknown>>, gateway: Record<string, unknown> = h2) => ({
  _format_version: '3.0',
  gateway,
  services: [{ name: 'svc', ...service, routes }],
});

describe('gRPC services', () => {
  it('accepts grpc and grpcs urls and protocols, with port 80 / 443 by default and h2 origins', () => {
    const c = valid({
      _format_version: '3.0',
      gateway: h2,
      services: [
        { name: 'a', url: 'grpc://10.0.0.1:50051' },
        { name: 'b', url: 'grpcs://api.example.com' },
        { name: 'c', protocol: 'grpc', host: 'c.internal' },
        { name: 'd', protocol: 'grpcs', host: 'd.internal', port: 8443 },
      ],
    });
    expect(c.services.map((s) => [s.protocol, s.host, s.port, s.path])).toEqual([
      ['grpc', '10.0.0.1', 50051, null],
      ['grpcs', 'api.example.com', 443, null],
      ['grpc', 'c.internal', 80, null],
      ['grpcs', 'd.internal', 8443, null],
    ]);
    expect(compileConfig(c, 1).services.map((s) => s.origin)).toEqual([
      'http://10.0.0.1:50051',
      'https://api.example.com:443',
      'http://c.internal:80',
      'https://d.internal:8443',
    ]);
  });

  it('refuses a path on a gRPC service and unknown url schemes, each at its JSON path', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        services: [
          { name: 'a', url: 'grpc://h:1/pkg' },
          { name: 'b', protocol: 'grpcs', host: 'h', path: '/x' },
          { name: 'c', url: 'tcp://h:1' },
          { name: 'd', protocol: 'h2c', host: 'h' },
        ],
      }),
    ).toEqual([
      '$.services[0].path: value must be null',
      '$.services[1].path: value must be null',
      "$.services[2].url: unsupported protocol 'tcp' in url (expected one of: grpc, grpcs, http, https)",
      '$.services[3].protocol: expected one of: grpc, grpcs, http, https',
    ]);
  });
});

describe('gRPC routes', () => {
  it('accepts a route without methods, strip_path false by default, and compiles its mode', () => {
    const c = valid(
      doc({ url: 'grpc://127.0.0.1:50051' }, [
        { name: 'both', protocols: ['grpc', 'grpcs'], paths: ['/pkg.Svc/'] },
        { name: 'tls', protocols: ['grpcs'], snis: ['api.test'] },
        { name: 'plain', protocols: ['grpc'], hosts: ['grpc.test'], strip_path: false },
      ]),
    );
    expect(c.routes.map((r) => [r.name, r.strip_path, r.methods])).toEqual([
      ['both', false, null],
      ['tls', false, null],
      ['plain', false, null],
    ]);
    const compiled = compileConfig(c, 1).routes;
    expect(compiled.map((r) => [r.grpc, r.httpsRedirect])).toEqual([
      ['any', null],
      ['tls-only', null],
      ['any', null],
    ]);
  });

  it("refuses Kong's way: methods, strip_path true, mixed protocol sets, no matcher", () => {
    expect(
      errorLines(
        doc({ url: 'grpc://127.0.0.1:50051' }, [
          { name: 'a', protocols: ['grpc'], methods: ['POST'], paths: ['/p'] },
          { name: 'b', protocols: ['grpcs'], strip_path: true, paths: ['/p'] },
          { name: 'c', protocols: ['grpc', 'https'], paths: ['/p'] },
          { name: 'd', protocols: ['grpc'] },
          { name: 'e', protocols: ['grpcs'] },
          { name: 'f', protocols: ['grpc'], snis: ['a.test'], paths: ['/p'] },
        ]),
      ),
    ).toEqual([
      "$.services[0].routes[0].methods: cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'",
      "$.services[0].routes[1].strip_path: cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'",
      "$.services[0].routes[2].protocols: these sets are mutually exclusive: ('grpc', 'grpcs'), ('http', 'https')",
      "$.services[0].routes[3]: must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'",
      "$.services[0].routes[4]: must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'",
      "$.services[0].routes[5].snis: 'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
    ]);
  });

  it('warns when no http2 listener can serve a gRPC route, or its service speaks HTTP/1.1', () => {
    const r = load(
      doc({ url: 'http://127.0.0.1:3000' }, [{ name: 'g', protocols: ['grpc'], paths: ['/p'] }], { proxy_listen: '127.0.0.1:0' }),
    );
    if (!r.ok) throw new Error('expected ok');
    expect(r.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      "$.services[0].routes[0].protocols: gRPC is served only on 'http2' listeners (node engine; uWS has no HTTP/2 and no trailers) and no proxy_listen entry has the 'http2' flag",
      "$.services[0].routes[0].service: a gRPC route's service has protocol 'http': requests go upstream over HTTP/1.1, without trailers (use 'grpc' or 'grpcs')",
    ]);
    const ok = load(doc({ url: 'grpc://127.0.0.1:3000' }, [{ name: 'g', protocols: ['grpc'], paths: ['/p'] }]));
    expect(ok.ok && ok.warnings).toEqual([]);
  });

  it("loads Kong's declarative file with gRPC entities (top-level routes, a grpcs service with tags)", () => {
    const c = valid({
      _format_version: '3.0',
      gateway: h2,
      services: [{ name: 'grpcbin', protocol: 'grpcs', host: 'grpcbin.example', port: 9001, tags: ['grpc'] }],
      routes: [{ name: 'grpcbin-route', service: 'grpcbin', protocols: ['grpc', 'grpcs'], paths: ['/hello.HelloService/'] }],
      plugins: [{ name: 'jwt', route: 'grpcbin-route', protocols: ['grpc', 'grpcs'] }],
    });
    expect(c.routes[0]!.service).toBe(c.services[0]!.id);
  });
});
