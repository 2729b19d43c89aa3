// Aggregates repeated runs into medians and renders the markdown table (systems × scenarios) with ratios.

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * One cell from its repeated runs: medians of each metric; failed when any run failed
 * (a run with unexpected statuses is a failure, never a fast result).
 */
export function summarizeCell(runs) {
  const failed = runs.filter((r) => !r.ok);
  return {
    ok: runs.length > 0 && failed.length === 0,
    problems: [...new Set(failed.flatMap((r) => r.problems))],
    repeats: runs.length,
    rps: median(runs.map((r) => r.rps)),
    perCpuS: median(runs.map((r) => r.perCpuS)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    p999: median(runs.map((r) => r.p999)),
  };
}

export function formatCount(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 10_000) return `${(n / 1000).toFixed(1)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(2)}k`;
  return n.toFixed(0);
}

export function formatMs(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

function ratio(a, b) {
  return a && b ? `${(a / b).toFixed(2)}×` : '–';
}

/**
 * `cells[systemId][scenarioId]` is a summarizeCell() result, `{ na: reason }` or undefined.
 * Returns the markdown table: one row per system, one column per scenario, each cell
 * "RPS · req/CPU-s · p99", then ratio rows of portcullis against direct and each peer present.
 */
export function renderTable({ systems, scenarios, cells }) {
  const head = `| system | ${scenarios.map((s) => s.title).join(' | ')} |`;
  const rule = `|---|${scenarios.map(() => '---').join('|')}|`;
  const rows = systems.map((sys) => {
    const cols = scenarios.map((sc) => {
      if (!sys.available) return 'not available';
      const c = cells[sys.id]?.[sc.id];
      if (!c) return 'n/a';
      if (c.na) return 'n/a';
      if (!c.ok) return `**FAILED**: ${c.problems.join('; ')}`;
      return `${formatCount(c.rps)} rps · ${formatCount(c.perCpuS)}/CPU-s · p99 ${formatMs(c.p99)}`;
    });
    return `| ${sys.label} | ${cols.join(' | ')} |`;
  });
  const ratioRow = (label, base) => {
    const cols = scenarios.map((sc) => {
      const g = cells.portcullis?.[sc.id];
      const b = cells[base]?.[sc.id];
      if (!g?.ok || !b?.ok) return '–';
      return `${ratio(g.rps, b.rps)} rps · ${ratio(g.perCpuS, b.perCpuS)} /CPU-s`;
    });
    return `| ${label} | ${cols.join(' | ')} |`;
  };
  const ids = new Set(systems.map((s) => s.id));
  const extra = [];
  if (ids.has('portcullis') && ids.has('direct')) extra.push(ratioRow('*Portcullis / direct*', 'direct'));
  if (ids.has('portcullis') && ids.has('peer')) extra.push(ratioRow('*Portcullis / peer*', 'peer'));
  if (ids.has('portcullis') && ids.has('haproxy')) extra.push(ratioRow('*Portcullis / HAProxy*', 'haproxy'));
  if (ids.has('portcullis') && ids.has('nginx-proxy')) extra.push(ratioRow('*Portcullis / nginx proxy_pass*', 'nginx-proxy'));
  // Each scenario against the gateway's own passthrough of the same run (e.g. the jwt policy's ≥ 0.9× target).
  const own = cells.portcullis?.passthrough;
  if (own?.ok && scenarios.length > 1) {
    extra.push(
      `| *Portcullis / its passthrough* | ${scenarios
        .map((sc) => {
          const g = cells.portcullis?.[sc.id];
          return sc.id === 'passthrough' || !g?.ok ? '–' : `${ratio(g.perCpuS, own.perCpuS)} /CPU-s`;
        })
        .join(' | ')} |`,
    );
  }
  // The access log's cost: the same gateway with gateway.access_log on, against its plain passthrough (target ≥ 0.9×).
  const logged = cells['portcullis-log']?.passthrough;
  if (own?.ok && logged?.ok) {
    extra.push(
      `| *access log / passthrough* | ${scenarios.map((sc) => (sc.id === 'passthrough' ? `${ratio(logged.perCpuS, own.perCpuS)} /CPU-s` : '–')).join(' | ')} |`,
    );
  }
  return [head, rule, ...rows, ...extra].join('\n');
}

/** Second table: latency percentiles per cell (p50 / p99 / p99.9). */
export function renderLatencyTable({ systems, scenarios, cells }) {
  const head = `| system | ${scenarios.map((s) => s.title).join(' | ')} |`;
  const rule = `|---|${scenarios.map(() => '---').join('|')}|`;
  const rows = systems
    .filter((s) => s.available)
    .map((sys) => {
      const cols = scenarios.map((sc) => {
        const c = cells[sys.id]?.[sc.id];
        if (!c || c.na || !c.ok) return '–';
        return `${formatMs(c.p50)} / ${formatMs(c.p99)} / ${formatMs(c.p999)}`;
      });
      return `| ${sys.label} | ${cols.join(' | ')} |`;
    });
  return [head, rule, ...rows].join('\n');
}

/** The whole .md result file; `before` and `after` are extra markdown blocks around the tables (targets, latency, idle). */
export function renderMarkdown({ meta, systems, scenarios, cells, before = [], after = [] }) {
  const unavailable = systems.filter((s) => !s.available).map((s) => `- ${s.label}: not available — ${s.reason.split('\n')[0]}`);
  return [
    `# Portcullis macro bench — ${meta.date}`,
    '',
    `commit \`${meta.commit}\` · Node ${meta.node} · ${meta.machine.cpuModel} × ${meta.machine.cpus} CPUs · ${meta.machine.memGiB} GiB · ${meta.machine.os}`,
    '',
    `\`${meta.command}\` — ${meta.settings.durationS} s per run, ${meta.settings.repeat} repeat(s) (medians), ` +
      `${meta.settings.connections} connections, warm-up ${meta.settings.warmupS} s; pinning: ${meta.pinning}` +
      `${meta.upstream ? `; upstream: ${meta.upstream}` : ''}${meta.loader ? `; HTTP/1.1 load: ${meta.loader}` : ''}`,
    '',
    ...before.flatMap((block) => [block, '']),
    'Cells: requests/s · requests per CPU-second of the system under test · p99 latency.',
    '',
    renderTable({ systems, scenarios, cells }),
    '',
    'Latency p50 / p99 / p99.9:',
    '',
    renderLatencyTable({ systems, scenarios, cells }),
    ...after.flatMap((block) => ['', block]),
    ...(unavailable.length ? ['', ...unavailable] : []),
    '',
  ].join('\n');
}
