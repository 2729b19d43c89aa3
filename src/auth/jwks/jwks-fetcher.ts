// Fetches one JWKS document with undici: timeouts, a body-size cap, JSON parse, and the Cache-Control max-age.
import { request, type Dispatcher } from 'undici';

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
export class JwksFetchError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'JwksFetchError';
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
