// Micro bench of the route table: normalizePath + match() on small and large tables (needs `npm run build:ts`).
import { Bench } from 'tinybench';
import { createRouteTable } from '../../dist/routing/route-table.js';
import { normalizePath } from '../../dist/routing/normalize-path.js';

let id = 0;
/** @returns {any} a partial compiled route, enough for the route table */
function route(fields, servicePath = '/svc') {
  const svcId = `svc-${++id}`;
  return {
    entity: {
      id: `route-${id}`,
      name: null,
      service: svcId,
      protocols: ['http', 'https'],
      methods: null,
      hosts: null,
      paths: null,
      headers: null,
      strip_path: true,
      preserve_host: false,
      regex_priority: 0,
      path_handling: 'v0',
      tags: null,
      ...fields,
    },
    service: {
      entity: { id: svcId, enabled: true, path: servicePath },
      origin: 'http://127.0.0.1:3000',
      hostHeader: '127.0.0.1:3000',
      basePath: servicePath,
    },
    jwt: null,
  };
}

function query(path, host = 'api.example.com:8000', method = 'GET') {
  const headers = { 'x-version': 'v2' };
  return { method, host, listenPort: 8000, path, header: (n) => headers[n] };
}

const small = createRouteTable([
  route({ paths: ['/api'] }),
  route({ paths: ['/admin'], methods: ['GET', 'POST'] }),
  route({ paths: ['~/users/\\d+$'] }),
  route({ hosts: ['api.example.com'], paths: ['/v2'] }),
  route({ headers: { 'x-version': ['v2'] }, paths: ['/h'] }),
]);

const manyRoutes = [];
for (let i = 0; i < 200; i++) manyRoutes.push(route({ paths: [`/service-${i}/api`] }));
for (let i = 0; i < 50; i++) manyRoutes.push(route({ hosts: [`tenant-${i}.example.com`], paths: ['/'] }));
const large = createRouteTable(manyRoutes);

const qPrefix = query('/api/orders/17');
const qHost = query('/v2/items');
const qRegex = query('/users/42');
const qMiss = query('/nothing/here');
const qLargeLast = query('/service-199/api/x', 'other.example.com');
const qLargeHost = query('/x', 'tenant-49.example.com');
const rawClean = '/api/orders/17/items';
const rawDirty = '/api/%7Euser/../orders//17%2fx';

let sink;
const bench = new Bench({ time: 500 });
bench
  .add('normalizePath clean (fast path)', () => {
    sink = normalizePath(rawClean);
  })
  .add('normalizePath %XX + .. + //', () => {
    sink = normalizePath(rawDirty);
  })
  .add('match 5 routes: prefix hit', () => {
    sink = small.match(qPrefix);
  })
  .add('match 5 routes: host+path hit', () => {
    sink = small.match(qHost);
  })
  .add('match 5 routes: regex hit', () => {
    sink = small.match(qRegex);
  })
  .add('match 5 routes: miss', () => {
    sink = small.match(qMiss);
  })
  .add('match 250 routes: last prefix', () => {
    sink = large.match(qLargeLast);
  })
  .add('match 250 routes: last host', () => {
    sink = large.match(qLargeHost);
  });

await bench.run();
console.table(bench.table());
if (sink === 42) console.log(sink);
