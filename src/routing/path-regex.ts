// Translates a Kong regex route path (`~/...`) into the JavaScript RegExp the route table runs.

/** True when a route path is a regex path (Kong's `~` magic prefix). */
export function isRegexPath(path: string): boolean {
  return path.charCodeAt(0) === 0x7e;
}

/**
 * Compiles a `~/...` route path: the `~` is dropped, the expression is anchored at the start
 * only (the whole expression, so `~/a|/b` cannot match `/x/b`), `(?P<name>` becomes `(?<name>`
 * and a leading `(?i)` becomes the `i` flag. Throws SyntaxError for an invalid expression, so
 * config validation can call it to report `invalid regex`.
 */
export function compilePathRegex(path: string): RegExp {
  let source = isRegexPath(path) ? path.slice(1) : path;
  let flags = '';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'i';
  }
  source = source.replace(/\(\?P</g, '(?<');
  return new RegExp(`^(?:${source})`, flags);
}
