// Fetches one JWKS document with undici: timeouts, a body-size cap, JSON parse, the Cache-Control max-age; OIDC discovery before it.
import { request, type Dispatcher } from 'undici';
import { isObject, parseHttpUrl } from '../../config/validate-context.js';
import { ERROR_CODES, PortcullisError } from '../../portcullis-error.js';

export interface FetchedJwks {
  readonly doc: unknown;
  /** Seconds from `Cache-Control: max-age` (`no-cache`/`no-store` → 0), null when absent. */
  readonly maxAge: number | null;
}

export interface JwksFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  dispatcher?: Dispatcher;
}

export type JwksFetch = (uri: string, options: JwksFetchOptions) => Promise<FetchedJwks>;

/** A fetch failure with a short reason for logs and counters. */
export class JwksFetchError extends PortcullisError {
  /** `permanent`: a misconfiguration (e.g. a discovery issuer mismatch) that waiting will not cure: readiness stays false. */
  constructor(
    readonly reason: string,
    readonly permanent = false,
  ) {
    super(ERROR_CODES.jwksFetch, reason);
  }
}

export function parseMaxAge(header: string | string[] | undefined): number | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (/(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|$)/i.test(text)) return 0;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(text);
  return m ? Number(m[1]) : null;
}

export const fetchJwks: JwksFetch = async (uri, options) => {
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  timer.unref();
  try {
    return await fetchWithSignal(uri, options, signal);
  } finally {
    clearTimeout(timer);
  }
};

async function fetchWithSignal(uri: string, options: JwksFetchOptions, signal: AbortSignal): Promise<FetchedJwks> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(uri, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(options.dispatcher !== undefined ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (err) {
    throw new JwksFetchError(signal.aborted ? `timed out after ${options.timeoutMs} ms` : `request failed: ${(err as Error).message}`);
  }
  // A late abort or a destroy after an early refusal must not surface as an unhandled stream error.
  res.body.on('error', () => undefined);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (res.statusCode !== 200) throw new JwksFetchError(`HTTP status ${res.statusCode}`);
    const declared = Number(res.headers['content-length']);
    if (declared > options.maxBytes) throw new JwksFetchError(`body larger than ${options.maxBytes} bytes`);
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > options.maxBytes) throw new JwksFetchError(`body larger than ${options.maxBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    res.body.destroy();
    if (err instanceof JwksFetchError) throw err;
    throw new JwksFetchError(signal.aborted ? `timed out after ${options.timeoutMs} ms` : `reading body failed: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new JwksFetchError('body is not JSON');
  }
  return { doc, maxAge: parseMaxAge(res.headers['cache-control']) };
}

/** Registry key of a credential's `oidc_issuer` (never an http URL, so it cannot collide with a `jwks_uri`). */
export const OIDC_PREFIX = 'oidc:';

/** OIDC Discovery §4: one trailing `/` of the issuer is removed before the well-known path is appended. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;
}

async function discoverJwksUri(issuer: string, options: JwksFetchOptions, fetchDoc: JwksFetch): Promise<string> {
  let doc: unknown;
  try {
    ({ doc } = await fetchDoc(discoveryUrl(issuer), options));
  } catch (err) {
    throw new JwksFetchError(`OIDC discovery: ${err instanceof JwksFetchError ? err.reason : String(err)}`);
  }
  if (!isObject(doc)) throw new JwksFetchError('OIDC discovery: the document is not a JSON object');
  // OIDC Discovery §4.3: the issuer must be identical to the one asked for, byte for byte.
  if (doc.issuer !== issuer) {
    throw new JwksFetchError(
      `OIDC discovery: issuer ${JSON.stringify(doc.issuer)} does not match the configured ${JSON.stringify(issuer)}`,
      true,
    );
  }
  const uri = doc.jwks_uri;
  if (typeof uri !== 'string' || typeof parseHttpUrl(uri) === 'string') {
    throw new JwksFetchError(`OIDC discovery: jwks_uri ${JSON.stringify(uri)} is not an http(s) URL`, true);
  }
  return uri;
}

/**
 * A JwksFetch for an `oidc_issuer` credential: discovery once, then the discovered `jwks_uri` like any other. A failed
 * JWKS fetch discovers again next time (the IdP may have moved its keys); the cache keeps its stale-if-error keys.
 */
export function oidcJwksFetch(issuer: string, fetchDoc: JwksFetch = fetchJwks): JwksFetch {
  let jwksUri: string | null = null;
  return async (_key, options) => {
    jwksUri ??= await discoverJwksUri(issuer, options, fetchDoc);
    try {
      return await fetchDoc(jwksUri, options);
    } catch (err) {
      jwksUri = null;
      throw err;
    }
  };
}
