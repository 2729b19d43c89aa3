// The HAProxy peer (Debian's 2.6): same routes as the gateway, `jwt_verify` with the bench's HS256 secret and RS256 public key, `exp` checked.
import fs from 'node:fs';
import path from 'node:path';
import { awaitListening, findBinary, NO_ROUTE_JSON } from './nginx.mjs';
import { freePort, startProcess } from './procs.mjs';

/** Why HAProxy cannot run here, or null when it can. */
export function haproxyMissing() {
  return findBinary('haproxy') ? null : 'haproxy not found (Debian: apt-get install -y haproxy)';
}

/**
 * One process, one thread. /open/ is proxied without auth; /api/ needs a bearer token whose `iss`
 * names a credential (Kong's key_claim_name), whose signature verifies (HAProxy verifies every
 * token: it has no verified-token cache) and whose `exp` is in the future; anything else is 404.
 * Both prefixes are stripped, as the gateway's routes do.
 */
export function haproxyConfig({ port, backendPort, creds, publicKeyPath }) {
  const json = (status, text) => `status ${status} content-type application/json string '${text.trim()}'`;
  return [
    'global',
    '  nbthread 1',
    '  maxconn 8192',
    '  tune.bufsize 32768',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 30s',
    'frontend bench',
    `  bind 127.0.0.1:${port}`,
    '  acl open path_beg /open/',
    '  acl api path_beg /api/',
    `  http-request return ${json(404, NO_ROUTE_JSON)} unless open || api`,
    '  http-request set-var(txn.bearer) http_auth_bearer if api',
    `  http-request return ${json(401, '{"message":"Unauthorized"}')} if api !{ var(txn.bearer) -m found }`,
    "  http-request set-var(txn.iss) var(txn.bearer),jwt_payload_query('$.iss') if api",
    "  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('$.exp','int') if api",
    '  http-request set-var(txn.now) date() if api',
    `  acl hs var(txn.iss) -m str ${creds.hs.key}`,
    `  acl rs var(txn.iss) -m str ${creds.rs.key}`,
    `  http-request return ${json(401, '{"message":"No credentials found for given \'iss\'"}')} if api !hs !rs`,
    `  http-request return ${json(401, '{"message":"Invalid signature"}')} if api hs !{ var(txn.bearer),jwt_verify("HS256","${creds.hs.secret}") -m int 1 }`,
    `  http-request return ${json(401, '{"message":"Invalid signature"}')} if api rs !{ var(txn.bearer),jwt_verify("RS256","${publicKeyPath}") -m int 1 }`,
    `  http-request return ${json(401, '{"message":"token expired"}')} if api { var(txn.exp),sub(txn.now) -m int le 0 }`,
    '  http-request replace-path ^/(open|api)(/.*)$ \\2',
    '  default_backend upstream',
    'backend upstream',
    '  http-reuse always',
    `  server up 127.0.0.1:${backendPort} maxconn 64`,
    '',
  ].join('\n');
}

/** Start HAProxy (foreground, `-db`) under `taskset -c cpus`; { available, child, pid, port } or { available: false, reason }. */
export async function startHaproxy({ name = 'haproxy', cpus, workDir, backendPort, creds }) {
  const binary = findBinary('haproxy');
  if (!binary) return { available: false, reason: haproxyMissing() };
  const dir = path.join(workDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const publicKeyPath = path.join(dir, 'rs256.pem');
  fs.writeFileSync(publicKeyPath, creds.rs.publicPem);
  const port = await freePort();
  const conf = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(conf, haproxyConfig({ port, backendPort, creds, publicKeyPath }));
  const logPath = path.join(dir, 'haproxy.log');
  const child = startProcess({ name, argv: [binary, '-db', '-f', conf], cpus, logPath });
  return awaitListening({ name, child, port, errorLog: logPath });
}
