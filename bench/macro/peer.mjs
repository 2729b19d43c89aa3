// The peer gateway a Node user would otherwise pick: fastify + @fastify/http-proxy + @fastify/jwt, same routes and tokens.
// Config comes as JSON in argv[2]: { upstream, hsKey, hsSecret, rsKey, rsPublicPem }. Prints {"port":N}.
import fastify from 'fastify';
import fastifyJwt from '@fastify/jwt';
import proxy from '@fastify/http-proxy';

const cfg = JSON.parse(process.argv[2]);
// The `iss` claim selects the credential, as Kong's key_claim_name does.
const keysByIss = new Map([
  [cfg.hsKey, cfg.hsSecret],
  [cfg.rsKey, cfg.rsPublicPem],
]);

const app = fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });

await app.register(fastifyJwt, {
  // exp is checked by default (ignoreExpiration: false); no verified-token cache (the default).
  secret: (_request, token, callback) => {
    const key = keysByIss.get(token?.payload?.iss ?? /** @type {any} */ (token)?.iss);
    if (!key) {
      callback(new Error('No credentials found for given iss'), undefined);
      return;
    }
    callback(null, key);
  },
});

// No-auth service, like the gateway's /open route (strip_path: the prefix is not sent upstream).
await app.register(proxy, { upstream: cfg.upstream, prefix: '/open', rewritePrefix: '' });

// JWT-protected service at /api.
await app.register(async (scope) => {
  scope.addHook('onRequest', async (request) => {
    await request.jwtVerify();
  });
  await scope.register(proxy, { upstream: cfg.upstream, prefix: '/api', rewritePrefix: '' });
});

await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: /** @type {import('node:net').AddressInfo} */ (app.server.address()).port })}\n`);

async function stop() {
  try {
    await app.close();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
