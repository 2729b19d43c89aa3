// Before timing anything: one request per scenario and system, checking status and body, so a fast wrong answer can't pass.
import { UPLOAD_BYTES } from './scenarios.mjs';

/** Returns null when the system answers the scenario correctly, else a one-line problem. */
export async function preflight({ url, scenario, tokens, uploadBody }) {
  const headers = {};
  if (tokens?.length) headers.authorization = `Bearer ${tokens[tokens.length - 1]}`;
  let res;
  let body;
  try {
    res = await fetch(`${url}${scenario.path}`, {
      method: scenario.method ?? 'GET',
      headers,
      body: scenario.bodyBytes ? uploadBody : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    return `request failed: ${err.cause?.code ?? err.message}`;
  }
  if (res.status !== scenario.expect) {
    return `preflight got ${res.status} (expected ${scenario.expect}): ${body.toString('utf8', 0, 120)}`;
  }
  if (scenario.expect !== 200) return null;
  if (scenario.path.endsWith('/big') && body.length !== 64 * 1024) return `64 KiB body arrived as ${body.length} bytes`;
  if (scenario.bodyBytes && !body.toString().includes(`"received":${UPLOAD_BYTES}`)) {
    return `upstream did not receive the whole upload: ${body.toString('utf8', 0, 120)}`;
  }
  return null;
}
