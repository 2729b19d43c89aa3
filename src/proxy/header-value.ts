// Turns any text into a value undici can send as a header: its UTF-8 bytes, one latin1 character per byte, as Kong writes them.
//
// undici writes header strings as latin1 and rejects a value holding a code point above U+00FF, so a consumer
// named `Пётр` used to fail the whole request with 502. Kong (nginx) sends a value's UTF-8 bytes; so do we, for
// every header the gateway sets (identity headers, forwarded path, claim headers). Values are converted once at
// compile time where they come from config, never per request. Control characters other than tab cannot be sent
// at all (undici refuses them, and CR/LF would split headers): config values holding one are refused at load
// (see HEADER_UNSAFE).

/** Characters no header value may hold: C0 controls except tab, and DEL (undici's headerCharRegex, before 0x80). */
export const HEADER_UNSAFE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** `text` re-expressed as its UTF-8 bytes read as latin1; ASCII text is returned as is (no allocation). */
export function headerValue(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7e) return Buffer.from(text, 'utf8').toString('latin1');
  }
  return text;
}
