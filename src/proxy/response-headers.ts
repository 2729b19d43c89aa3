// An upstream response's header list as undici's core delivers it (flat, raw), and the views the writers take of it.
import { util } from 'undici';

/**
 * Flat [name, value, ...] in wire order and case: undici's raw header Buffers for a proxied response, strings for a
 * response the gateway makes (https redirect). Values read as latin1, one character per byte, like undici does.
 */
export type RawHeaders = readonly (Buffer | string)[];

/** A header name in lower case; common names come back as interned strings without a copy. */
export const headerName: (name: Buffer | string) => string = util.headerNameToString;

/** A header value as text, one latin1 character per byte. */
export function headerText(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}

/** The headers as an object: lower-case names, repeated ones as arrays in first-seen order (undici's parseHeaders). */
export function headerObject(raw: RawHeaders): Record<string, string | string[]> {
  return util.parseHeaders(raw as (Buffer | string)[]) as Record<string, string | string[]>;
}
