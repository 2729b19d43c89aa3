// Test certificates made with the openssl CLI: a CA and leaf certificates (RSA or ECDSA) for given DNS names.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  /** PEM text. */
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  /** The subject CN, to tell certificates apart in a handshake. */
  cn: string;
}

export interface TestCa {
  readonly dir: string;
  readonly caFile: string;
  readonly caPem: string;
  /** A leaf signed by the CA for `names` (subjectAltName DNS entries). */
  leaf(cn: string, names: string[], type?: 'rsa' | 'ec'): TestCert;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function keyArgs(type: 'rsa' | 'ec'): string[] {
  return type === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
}

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-tls-test-'));
  openssl(
    ['req', '-x509', ...keyArgs('ec'), '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Portcullis Test CA'],
    dir,
  );
  let n = 0;
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    leaf(cn, names, type = 'rsa') {
      const base = `leaf${n++}`;
      writeFileSync(join(dir, `${base}.ext`), `subjectAltName=${names.map((x) => `DNS:${x}`).join(',')}\n`);
      openssl(['req', ...keyArgs(type), '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${cn}`], dir);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${base}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
          '-out',
          `${base}.pem`,
          '-days',
          '2',
          '-extfile',
          `${base}.ext`,
        ],
        dir,
      );
      const certFile = join(dir, `${base}.pem`);
      const keyFile = join(dir, `${base}.key`);
      return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile, cn };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
