// Real TLS clients for tests: openssl s_client (which certificate a server name gets), curl, and node's https.
import { execFile } from 'node:child_process';
import https from 'node:https';
import type tls from 'node:tls';

/** The subject CN the server presents for `servername` (null: no SNI sent); rejects when the handshake fails. */
export function certificateCn(port: number, servername: string | null, extra: string[] = []): Promise<string> {
  const args = [
    's_client',
    '-connect',
    `127.0.0.1:${port}`,
    ...(servername !== null ? ['-servername', servername] : ['-noservername']),
    ...extra,
  ];
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { timeout: 10_000 }, (err, stdout) => {
      const m = /subject=.*?CN ?= ?([^\n,/]+)/.exec(stdout);
      if (m) resolve(m[1]!.trim());
      else reject(err ?? new Error(`no certificate in s_client output:\n${stdout}`));
    });
    child.stdin?.end();
  });
}

export interface CurlReply {
  status: number;
  body: string;
}

/** curl over https with the test CA, `name` resolved to 127.0.0.1. */
export function curlHttps(port: number, name: string, path: string, caFile: string, extra: string[] = []): Promise<CurlReply> {
  const args = [
    '-sS',
    '--cacert',
    caFile,
    '--resolve',
    `${name}:${port}:127.0.0.1`,
    '-o',
    '-',
    '-w',
    '\n%{http_code}',
    ...extra,
    `https://${name}:${port}${path}`,
  ];
  return new Promise((resolve, reject) => {
    execFile('curl', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`curl failed: ${stderr || err.message}`));
        return;
      }
      const cut = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) });
    });
  });
}

export interface HttpsReply {
  status: number;
  body: string;
  headers: Record<string, unknown>;
  cn: string;
  protocol: string | null;
}

/** One request with node's https client on a new connection, checking the chain against `ca`. */
export function httpsGet(
  port: number,
  servername: string,
  path: string,
  ca: string,
  options: https.RequestOptions = {},
): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, servername, ca, agent: false, headers: { host: servername }, ...options },
      (res) => {
        const socket = res.socket as tls.TLSSocket;
        const cn = String(socket.getPeerCertificate().subject?.CN ?? '');
        const protocol = socket.getProtocol();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers, cn, protocol }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
