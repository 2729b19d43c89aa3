// Validates the gateway's Admin API security fields: token or token file, allowed browser origins, allowed Host names.
import { readFileSync } from 'node:fs';
import type { GatewaySettings } from './types.js';
import { childPath, has, type Obj, type Reader, type Sink } from './validate-context.js';

export type AdminSecuritySettings = Pick<
  GatewaySettings,
  'admin_token' | 'admin_token_file' | 'admin_allowed_origins' | 'admin_allowed_hosts'
>;

/**
 * Reads a token file the way Kubernetes and Docker secrets are mounted: one trailing newline is not part of
 * the token. Returns the token, or why it cannot be used (never the file's content).
 */
export function readTokenFile(file: string): { ok: true; token: string } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : String(code ?? err);
    return { ok: false, message: `cannot read the admin token file '${file}': ${why}` };
  }
  const token = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (token.length === 0) return { ok: false, message: `the admin token file '${file}' is empty` };
  return { ok: true, token };
}

/** `scheme://host[:port]` as a browser sends it in `Origin`; null when `value` is anything more or less. */
function canonicalOrigin(value: string): string | null {
  if (!/^https?:\/\/[^/?#@\s]+$/i.test(value)) return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

const HOST_NAME_RE = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)$/;

function readList(
  sink: Sink,
  r: Reader,
  obj: Obj,
  key: string,
  canonical: (v: string) => string | null,
  expected: string,
): string[] | undefined {
  if (!has(obj, key)) return undefined;
  const list = r.strings(key, []) ?? [];
  const out: string[] = [];
  list.forEach((v, i) => {
    const c = canonical(v);
    if (c === null) sink.error(childPath(childPath(r.path, key), i), `expected ${expected}, got '${v}'`);
    else if (!out.includes(c)) out.push(c);
  });
  return out;
}

/** Every field, defaulted: no token, no file, no extra origins or hosts. */
export function readAdminSecurity(sink: Sink, r: Reader, obj: Obj): AdminSecuritySettings {
  const token = r.str('admin_token', null, { nullable: true, nonEmpty: true });
  const tokenFile = r.str('admin_token_file', null, { nullable: true, nonEmpty: true });
  const out: AdminSecuritySettings = {
    admin_token: token,
    admin_token_file: tokenFile,
    admin_allowed_origins: [],
    admin_allowed_hosts: [],
  };
  if (tokenFile !== null) {
    const filePath = childPath(r.path, 'admin_token_file');
    if (token !== null) sink.error(filePath, 'set either admin_token or admin_token_file, not both');
    else {
      const read = readTokenFile(tokenFile);
      if (!read.ok) sink.error(filePath, read.message);
    }
  }
  const origins = readList(sink, r, obj, 'admin_allowed_origins', canonicalOrigin, "an origin such as 'https://admin.example.com'");
  if (origins !== undefined) out.admin_allowed_origins = origins;
  const hosts = readList(
    sink,
    r,
    obj,
    'admin_allowed_hosts',
    (v) => {
      const h = v.toLowerCase().replace(/\.$/, '');
      return HOST_NAME_RE.test(h) ? h : null;
    },
    "a host name without a port such as 'gateway.internal'",
  );
  if (hosts !== undefined) out.admin_allowed_hosts = hosts;
  return out;
}
