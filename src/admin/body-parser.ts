// Parses Admin API request bodies as Kong takes them: JSON, urlencoded and multipart (files included), then shapes form fields.
import { Response } from 'undici';
import type { Obj } from '../config/validate-context.js';
import type { FieldType } from './entities/kinds.js';
import { ADMIN_MESSAGES, type ApiResult } from './entities/kong-errors.js';

/** A request body after parsing: typed JSON, or form pairs still to be shaped by the target entity's field types. */
export type ParsedBody = { type: 'json'; value: unknown } | { type: 'form'; pairs: Array<[string, string]> } | null;

export type BodyParse = { ok: true; body: ParsedBody } | { ok: false; result: ApiResult };

/** Cap on an Admin API request body (bytes); a PEM key is a few KiB, a whole config rarely above a few MiB. */
export const ADMIN_MAX_BODY_BYTES = 8 * 1024 * 1024;

const bad = (message: string): BodyParse => ({ ok: false, result: { status: 400, body: { message } } });

/** `contentType` is every Content-Type header the request carried. Async only for multipart, which undici parses. */
export async function parseAdminBody(contentType: readonly string[], raw: Buffer): Promise<BodyParse> {
  if (contentType.length > 1) return bad(ADMIN_MESSAGES.contentTypeTwice);
  const header = contentType[0];
  if (header === undefined || header.trim() === '') {
    if (raw.length === 0) return { ok: true, body: null };
    // Kong reads a typeless body as JSON when it looks like JSON; otherwise as a form (curl --data without -H).
    return raw.toString('utf8').trimStart().startsWith('{')
      ? parseJson(raw)
      : { ok: true, body: { type: 'form', pairs: parseUrlencoded(raw.toString('latin1')) } };
  }
  const [mime, ...params] = header.split(';').map((s) => s.trim());
  const type = mime!.toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return raw.length === 0 ? { ok: true, body: null } : parseJson(raw);
  if (type === 'application/x-www-form-urlencoded')
    return { ok: true, body: { type: 'form', pairs: parseUrlencoded(raw.toString('latin1')) } };
  if (type === 'multipart/form-data') {
    // Checked here, not left to undici, so that a missing boundary keeps Kong's own message.
    if (!params.some((p) => /^boundary=(?:"[^"]+"|.+)$/i.test(p))) return bad(ADMIN_MESSAGES.multipartNoBoundary);
    const pairs = await parseMultipart(raw, header);
    return pairs === null ? bad(ADMIN_MESSAGES.multipartInvalid) : { ok: true, body: { type: 'form', pairs } };
  }
  return { ok: false, result: { status: 415, body: { message: ADMIN_MESSAGES.unsupportedMediaType } } };
}

function parseJson(raw: Buffer): BodyParse {
  try {
    return { ok: true, body: { type: 'json', value: JSON.parse(raw.toString('utf8')) } };
  } catch {
    return bad('Cannot parse JSON body');
  }
}

/** `a=1&b=2`; `+` is a space; percent-decoding as UTF-8 (the input is read as latin1 so bytes survive). */
export function parseUrlencoded(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push([decode(k), decode(v)]);
  }
  return out;
}

function decode(s: string): string {
  const bytes = Buffer.from(s.replace(/\+/g, ' '), 'latin1');
  // Percent-decode at byte level so malformed escapes are kept verbatim instead of throwing.
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x25 && i + 2 < bytes.length + 0 && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!))) {
      out.push(parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16));
      i += 2;
    } else out.push(c);
  }
  return Buffer.from(out).toString('utf8');
}

/**
 * multipart/form-data, parsed by undici (the WHATWG `Request.formData()` algorithm): each part's name and content,
 * file parts as their text. Null when undici refuses the body (truncated, no closing delimiter, a part without a name).
 */
export async function parseMultipart(raw: Buffer, contentType: string): Promise<Array<[string, string]> | null> {
  let form: Awaited<ReturnType<Response['formData']>>;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return null;
  }
  const out: Array<[string, string]> = [];
  for (const [name, value] of form) out.push([name, typeof value === 'string' ? value : await value.text()]);
  return out;
}

type Seg = string | number | '[]';

function keySegments(key: string): Seg[] {
  const out: Seg[] = [];
  for (const dotted of key.split('.')) {
    const m = /^([^[\]]*)((?:\[\d*\])*)$/.exec(dotted);
    if (!m) {
      out.push(dotted);
      continue;
    }
    if (m[1] !== '') out.push(m[1]!);
    for (const b of m[2]!.match(/\[\d*\]/g) ?? []) out.push(b === '[]' ? '[]' : Number(b.slice(1, -1)));
  }
  return out;
}

/**
 * Kong's form semantics: dotted keys nest (`config.claims_to_verify=exp`), repeated keys and `k[]`/`k[n]`
 * make arrays; values are then coerced by the field's type (`port=8080` a number, `paths=/x` an array).
 */
export function formToObject(pairs: ReadonlyArray<[string, string]>, types: Readonly<Record<string, FieldType>>): Obj {
  const root: Obj = {};
  const indexed = new Map<unknown[], Array<[number, unknown]>>();
  for (const [key, value] of pairs) {
    const segs = keySegments(key);
    if (segs.length === 0) continue;
    let node: Obj | unknown[] = root;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      const last = i === segs.length - 1;
      if (Array.isArray(node)) {
        if (seg === '[]' || typeof seg === 'number') {
          if (last) {
            if (seg === '[]') node.push(value);
            else {
              const l = indexed.get(node) ?? [];
              l.push([seg, value]);
              indexed.set(node, l);
            }
            break;
          }
        }
        break;
      }
      const obj: Obj = node;
      const name = String(seg);
      if (last) {
        const prev = obj[name];
        if (prev === undefined) obj[name] = value;
        else if (Array.isArray(prev)) prev.push(value);
        else obj[name] = [prev, value];
        break;
      }
      const nextSeg = segs[i + 1]!;
      const wantArray = nextSeg === '[]' || typeof nextSeg === 'number';
      let child = obj[name];
      if (wantArray && !Array.isArray(child)) child = obj[name] = child === undefined ? [] : [child];
      if (!wantArray && (typeof child !== 'object' || child === null || Array.isArray(child))) child = obj[name] = {};
      node = child as Obj | unknown[];
    }
  }
  for (const [arr, items] of indexed) {
    items.sort((a, b) => a[0] - b[0]);
    for (const [, v] of items) arr.push(v);
  }
  coerce(root, '', types);
  return root;
}

function coerce(obj: Obj, prefix: string, types: Readonly<Record<string, FieldType>>): void {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix + k;
    const type = types[name];
    if (type === 'array') obj[k] = v === '' ? [] : Array.isArray(v) ? v : [v];
    else if (type === 'int' || type === 'number')
      obj[k] = typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    else if (type === 'bool') obj[k] = v === 'true' ? true : v === 'false' ? false : v;
    else if (type === 'array-map' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [hk, hv] of Object.entries(v)) (v as Obj)[hk] = Array.isArray(hv) ? hv : [hv];
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) coerce(v as Obj, `${name}.`, types);
  }
}
