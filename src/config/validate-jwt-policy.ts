// Validates the jwt plugin's policy extensions (leeway, issuers, audiences, scopes, roles, claims_to_headers, hidden credentials).
import type { JwtPluginConfig } from './types.js';
import { FIELDS } from './fields.js';
import { FORWARDED_HEADER_NAMES, IDENTITY_HEADER_NAMES } from '../proxy/forwarded-headers.js';
import { checkFields, childPath, createReader, has, isObject, type Obj, type Sink } from './validate-context.js';

export type JwtPolicyFields = Pick<
  JwtPluginConfig,
  | 'leeway'
  | 'issuers'
  | 'audiences'
  | 'scopes_required'
  | 'scopes_claim'
  | 'scopes_match'
  | 'roles_required'
  | 'roles_claim'
  | 'roles_match'
  | 'claims_to_headers'
  | 'forward_payload_header'
  | 'hide_credentials'
>;

export const MAX_LEEWAY_SECONDS = 3600;

/** RFC 7230 token: what a header name may be. */
const HEADER_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 6750 scope-token: printable ASCII without space, `"` and `\` (it is quoted in WWW-Authenticate). */
const SCOPE_TOKEN_RE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
/** A dot path: non-empty segments. */
const DOT_PATH_RE = /^[^.]+(\.[^.]+)*$/;

/** Headers the gateway itself manages upstream (hop-by-hop, framing, forwarding, consumer identity). */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'content-length',
  'expect',
  'via',
  ...FORWARDED_HEADER_NAMES,
  ...IDENTITY_HEADER_NAMES,
]);

/** Checks one upstream header name; the message, or null when it is usable. */
function headerNameProblem(name: string): string | null {
  if (!HEADER_NAME_RE.test(name)) return "expected a header name (letters, digits and !#$%&'*+-.^_`|~)";
  if (RESERVED_HEADERS.has(name.toLowerCase())) return `header '${name}' is set by the gateway and cannot be configured`;
  return null;
}

function nonEmptyList(sink: Sink, raw: Obj, path: string, key: string, item: RegExp | null, itemMessage: string): string[] | undefined {
  if (!has(raw, key)) return undefined;
  const list = createReader(sink, raw, path).strings(key, null, { set: true });
  if (list === null) return undefined;
  const p = childPath(path, key);
  if (list.length === 0) sink.error(p, 'expected at least one value');
  (raw[key] as unknown[]).forEach((v, i) => {
    if (typeof v === 'string' && (v === '' || (item !== null && !item.test(v))))
      sink.error(childPath(p, i), v === '' ? 'length must be at least 1' : itemMessage);
  });
  return list;
}

function claimsToHeaders(sink: Sink, raw: Obj, path: string): JwtPluginConfig['claims_to_headers'] {
  if (!has(raw, 'claims_to_headers')) return undefined;
  const p = childPath(path, 'claims_to_headers');
  const v = raw.claims_to_headers;
  if (!Array.isArray(v)) {
    sink.error(p, 'expected an array');
    return undefined;
  }
  const out: Array<{ claim: string; header: string }> = [];
  const seen = new Set<string>();
  v.forEach((entry, i) => {
    const ep = childPath(p, i);
    if (!isObject(entry)) {
      sink.error(ep, 'expected a record');
      return;
    }
    checkFields(sink, entry, ep, FIELDS.claim_header);
    const r = createReader(sink, entry, ep);
    for (const key of ['claim', 'header']) if (!has(entry, key)) sink.error(childPath(ep, key), 'required field missing');
    const claim = r.str('claim', '', { nonEmpty: true });
    const header = r.str('header', '', { nonEmpty: true });
    if (claim !== '' && !DOT_PATH_RE.test(claim))
      sink.error(childPath(ep, 'claim'), 'expected a claim name or dot path (no empty segments)');
    if (header !== '') {
      const problem = headerNameProblem(header);
      if (problem !== null) sink.error(childPath(ep, 'header'), problem);
      else if (seen.has(header.toLowerCase())) sink.error(childPath(ep, 'header'), `header '${header}' is configured twice`);
      seen.add(header.toLowerCase());
    }
    out.push({ claim, header });
  });
  return out;
}

/** Only the fields the config sets are returned: an absent field stays absent (Kong's behaviour). */
export function validateJwtPolicy(sink: Sink, raw: Obj, path: string): JwtPolicyFields {
  const r = createReader(sink, raw, path);
  const out: JwtPolicyFields = {};
  if (has(raw, 'leeway')) out.leeway = r.int('leeway', 0, 0, MAX_LEEWAY_SECONDS);
  const issuers = nonEmptyList(sink, raw, path, 'issuers', null, '');
  if (issuers !== undefined) out.issuers = issuers;
  const audiences = nonEmptyList(sink, raw, path, 'audiences', null, '');
  if (audiences !== undefined) out.audiences = audiences;
  const valueMessage = "expected printable ASCII without spaces, '\"' or '\\' (RFC 6750 scope-token)";
  const scopes = nonEmptyList(sink, raw, path, 'scopes_required', SCOPE_TOKEN_RE, valueMessage);
  if (scopes !== undefined) out.scopes_required = scopes;
  const scopesClaim = nonEmptyList(sink, raw, path, 'scopes_claim', DOT_PATH_RE, 'expected a claim name or dot path (no empty segments)');
  if (scopesClaim !== undefined) out.scopes_claim = scopesClaim;
  if (has(raw, 'scopes_match')) out.scopes_match = r.oneOf('scopes_match', ['all', 'any'] as const, 'all');
  const roles = nonEmptyList(sink, raw, path, 'roles_required', SCOPE_TOKEN_RE, valueMessage);
  if (roles !== undefined) out.roles_required = roles;
  if (has(raw, 'roles_claim')) {
    const claim = r.str('roles_claim', 'roles', { nonEmpty: true });
    if (claim !== '' && !DOT_PATH_RE.test(claim))
      sink.error(childPath(path, 'roles_claim'), 'expected a claim name or dot path (no empty segments)');
    out.roles_claim = claim;
  }
  if (has(raw, 'roles_match')) out.roles_match = r.oneOf('roles_match', ['all', 'any'] as const, 'all');
  const headers = claimsToHeaders(sink, raw, path);
  if (headers !== undefined) out.claims_to_headers = headers;
  if (has(raw, 'forward_payload_header')) {
    const header = r.str('forward_payload_header', '', { nonEmpty: true });
    const p = childPath(path, 'forward_payload_header');
    const problem = header === '' ? null : headerNameProblem(header);
    if (problem !== null) sink.error(p, problem);
    else if (headers?.some((h) => h.header.toLowerCase() === header.toLowerCase()))
      sink.error(p, `header '${header}' is also in claims_to_headers`);
    out.forward_payload_header = header;
  }
  if (has(raw, 'hide_credentials')) out.hide_credentials = r.bool('hide_credentials', false);
  return out;
}
