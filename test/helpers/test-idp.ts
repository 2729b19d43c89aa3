// A local identity provider for tests: node:http on 127.0.0.1, serves OIDC discovery and /.well-known/jwks.json, signs RS256 tokens, rotates keys, misbehaves on request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { makeToken } from './tokens.js';

export interface IdpKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

export type IdpMode = 'ok' | 'reset' | 'error500' | 'slow' | 'not-json' | 'no-keys-array' | 'wrong-kty' | 'only-wrong-kty';

export interface TestIdp {
  readonly url: string;
  readonly jwksUri: string;
  /** The key new tokens are signed with. */
  readonly current: IdpKey;
  /** Keys published in the JWKS, newest last. */
  readonly published: IdpKey[];
  fetches: number;
  /** Requests for /.well-known/openid-configuration. */
  discoveryFetches: number;
  /** The `issuer` the discovery document states; default the instance URL (FusionAuth's issuer). */
  discoveryIssuer: string | null;
  /** FusionAuth-like: the JWKS also lists keys of other types and algorithms (an EC P-256 ES256 key, an RS512 key). */
  foreignKeys: boolean;
  mode: IdpMode;
  slowMs: number;
  cacheControl: string | null;
  /** Signs an RS256 token with `iss` = the IdP URL (and kid of `key`, default current). */
  token(claims?: Record<string, unknown>, key?: IdpKey): string;
  /** Adds a new key, signs with it from now on; the old one stays published until `retire`. */
  rotate(): IdpKey;
  retire(kid: string): void;
  close(): Promise<void>;
}

let counter = 0;
function newKey(): IdpKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid: `key-${++counter}-${Date.now().toString(36)}`,
    privateKey,
    publicKey,
    publicPem: String(publicKey.export({ type: 'spki', format: 'pem' })),
  };
}

export async function startIdp(): Promise<TestIdp> {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let current = newKey();
  const published: IdpKey[] = [current];
  const foreignRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const server = http.createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      idp.discoveryFetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: idp.discoveryIssuer ?? url,
          jwks_uri: idp.jwksUri,
          authorization_endpoint: `${url}/oauth2/authorize`,
          id_token_signing_alg_values_supported: ['RS256', 'ES256', 'RS512'],
        }),
      );
      return;
    }
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    idp.fetches++;
    const send = (status: number, body: string) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (idp.cacheControl !== null) headers['cache-control'] = idp.cacheControl;
      res.writeHead(status, headers).end(body);
    };
    const foreign = () =>
      idp.foreignKeys
        ? [
            { ...ec.publicKey.export({ format: 'jwk' }), kid: 'fa-es256', alg: 'ES256', use: 'sig' },
            { ...foreignRsa.publicKey.export({ format: 'jwk' }), kid: 'fa-rs512', alg: 'RS512', use: 'sig' },
          ]
        : [];
    const keys = () => [
      ...foreign(),
      ...published.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'RS256', use: 'sig' })),
    ];
    switch (idp.mode) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'error500':
        send(500, '{"error":"boom"}');
        return;
      case 'slow':
        setTimeout(() => send(200, JSON.stringify({ keys: keys() })), idp.slowMs);
        return;
      case 'not-json':
        send(200, '<html>oops</html>');
        return;
      case 'no-keys-array':
        send(200, '{"keys":"none"}');
        return;
      case 'wrong-kty':
        send(
          200,
          JSON.stringify({
            keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-posing-as-rsa', alg: 'RS256', use: 'sig' }, ...keys()],
          }),
        );
        return;
      case 'only-wrong-kty':
        send(
          200,
          JSON.stringify({ keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-posing-as-rsa', alg: 'RS256', use: 'sig' }] }),
        );
        return;
      default:
        send(200, JSON.stringify({ keys: keys() }));
    }
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: TestIdp = {
    url,
    jwksUri: `${url}/.well-known/jwks.json`,
    get current() {
      return current;
    },
    published,
    fetches: 0,
    discoveryFetches: 0,
    discoveryIssuer: null,
    foreignKeys: false,
    mode: 'ok',
    slowMs: 2000,
    cacheControl: 'public, max-age=300',
    token(claims = {}, key = current) {
      return makeToken({ alg: 'RS256', typ: 'JWT', kid: key.kid }, { iss: url, sub: 'user-1', ...claims }, key.privateKey);
    },
    rotate() {
      current = newKey();
      published.push(current);
      return current;
    },
    retire(kid) {
      const i = published.findIndex((k) => k.kid === kid);
      if (i >= 0) published.splice(i, 1);
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
  return idp;
}
