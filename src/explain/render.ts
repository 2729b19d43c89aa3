// For `explain`: the human-readable form of an Explanation (the JSON form is the object itself).
import type { Explanation } from './explain.js';

const MARK = { pass: 'pass', fail: 'FAIL', skip: 'skip' } as const;

function json(value: unknown): string {
  return JSON.stringify(value);
}

function fields(input: Record<string, unknown>): string {
  return Object.entries(input)
    .filter(([k]) => k !== 'compared_with')
    .map(([k, v]) => `${k}=${json(v)}`)
    .join(' ');
}

export function renderExplanation(e: Explanation): string {
  const out: string[] = [];
  const r = e.request;
  out.push(`request   ${r.method} ${r.host ?? '(no Host)'} ${r.path}${r.query === '' ? '' : `?${r.query}`}`);
  if (e.route.matched !== null) {
    const m = e.route.matched;
    out.push(`route     matched ${json(m.name ?? m.id)} (service ${json(m.service)}), upstream path ${e.route.upstream_path}`);
  } else if (e.verdict.stopped_at === 'route') {
    out.push('route     none matched');
  }
  if (e.route.candidates.length > 0) {
    out.push('          candidates:');
    for (const c of e.route.candidates) {
      const checks = c.checks.map((k) => `${k.field} ${json(k.expected)} vs ${json(k.actual)}: ${k.ok ? 'ok' : 'no'}`).join('; ');
      const winner = e.route.matched?.id === c.id ? ' (chosen)' : '';
      out.push(`            ${c.matches ? '+' : '-'} ${json(c.name ?? c.id)}${winner} ${checks || '(no conditions)'}`);
    }
  }
  if (e.route.matched !== null) {
    out.push(
      e.plugin === null
        ? 'plugin    none: no jwt plugin applies to this route'
        : `plugin    jwt from the ${e.plugin.scope} scope (plugin id ${e.plugin.id})`,
    );
  }
  if (e.jwt !== null) {
    e.jwt.steps.forEach((s, i) => {
      out.push(`${i === 0 ? 'jwt' : '   '}       ${String(i + 1).padStart(2)}. ${s.step.padEnd(15)} ${MARK[s.result]}  ${s.detail}`);
      const inputs = fields(s.input);
      if (inputs !== '') out.push(`                             ${inputs}`);
      if (Array.isArray(s.input.compared_with)) {
        for (const k of s.input.compared_with as Array<{ key: string; note: string }>)
          out.push(`                               key ${json(k.key)}: ${k.note}`);
      }
    });
  }
  const v = e.verdict;
  if (v.allowed) {
    out.push(
      `verdict   ALLOWED: proxied to the service${v.reason === null ? '' : ` (auth ${v.reason})`}${v.stopped_at !== null ? `; the token failed at ${v.stopped_at}, the anonymous consumer applies` : ''}`,
    );
  } else {
    out.push(`verdict   REFUSED: ${v.status} ${v.body}${v.reason === null ? '' : ` (auth ${v.reason})`}, stopped at ${v.stopped_at}`);
  }
  return `${out.join('\n')}\n`;
}
