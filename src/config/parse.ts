// Parses config text (JSON or YAML) into plain data, reporting syntax errors with line and column.
import { parseDocument } from 'yaml';
import type { ConfigError } from './types.js';

export type ParseResult = { ok: true; value: unknown } | { ok: false; errors: ConfigError[] };

export function parseConfigText(text: string, format: 'json' | 'yaml'): ParseResult {
  return format === 'json' ? parseJson(text) : parseYaml(text);
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

function parseJson(text: string): ParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    // Node 20's JSON.parse gives no position, so a small scanner finds the first bad offset.
    const found = locateJsonError(body);
    if (found === null) return { ok: false, errors: [{ path: '$', message: `invalid JSON: ${(err as Error).message}` }] };
    const { line, col } = lineCol(body, found.offset);
    return { ok: false, errors: [{ path: '$', message: `invalid JSON at line ${line}, column ${col}: ${found.message}` }] };
  }
}

function parseYaml(text: string): ParseResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
        const text = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { path: '$', message: `invalid YAML${where}: ${text}` };
      }),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (err) {
    return { ok: false, errors: [{ path: '$', message: `invalid YAML: ${(err as Error).message}` }] };
  }
}

/** Finds the offset and a description of the first JSON syntax error (null if the scanner finds none). */
function locateJsonError(s: string): { offset: number; message: string } | null {
  let i = 0;
  class Fail {
    constructor(
      readonly offset: number,
      readonly message: string,
    ) {}
  }
  const ws = () => {
    while (i < s.length && ' \t\n\r'.includes(s[i]!)) i++;
  };
  const unexpected = (): never => {
    throw new Fail(i, i >= s.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(s[i])}`);
  };
  const literal = (word: string) => {
    if (s.startsWith(word, i)) i += word.length;
    else unexpected();
  };
  const string = () => {
    i++;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 0x20) throw new Fail(i, 'control character in string');
      if (c === 92) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) throw new Fail(i, 'bad unicode escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Fail(i, 'bad escape');
      } else i++;
    }
    throw new Fail(i, 'unterminated string');
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (!m || m[0].length === 0) unexpected();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') unexpected();
        string();
        ws();
        if (s[i] !== ':') unexpected();
        i++;
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return;
        }
        unexpected();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return;
        }
        unexpected();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value();
    ws();
    if (i < s.length) unexpected();
    return null;
  } catch (e) {
    if (e instanceof Fail) return { offset: e.offset, message: e.message };
    if (e instanceof RangeError) return { offset: 0, message: 'nesting too deep' };
    throw e;
  }
}
