// Splits a command template such as `node dist/cli.js --config {config}` into argv (shell-like quotes, no shell).

/** Split on whitespace, honouring '…' and "…" quoting and backslash escapes. */
export function splitCommand(template) {
  const out = [];
  let cur = '';
  let inToken = false;
  let quote = null;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < template.length) cur += template[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inToken = true;
    } else if (c === '\\' && i + 1 < template.length) {
      cur += template[++i];
      inToken = true;
    } else if (/\s/.test(c)) {
      if (inToken) {
        out.push(cur);
        cur = '';
        inToken = false;
      }
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (quote) throw new Error('unbalanced quote in command');
  if (inToken) out.push(cur);
  return out;
}
