// Renders the gateway's counters in the Prometheus text exposition format (version 0.0.4), family by family from metric-table.ts.
import type { DataPlaneCounters } from './counters.js';
import { METRIC_TABLE, type Sample, type SupervisorValues } from './metric-table.js';

export type { MetricsWorker } from './metric-table.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsSnapshot extends SupervisorValues {
  counters: DataPlaneCounters;
}

function family(out: string[], name: string, type: 'counter' | 'gauge', help: string, samples: readonly Sample[]): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
}

export function renderMetrics(s: MetricsSnapshot): string {
  const c = s.counters;
  const out: string[] = [];
  for (const f of METRIC_TABLE) {
    if (f.kind === 'supervisor') {
      const samples = f.samples(s);
      if (samples !== null) family(out, f.name, f.type, f.help, samples);
      continue;
    }
    if (f.name === null) continue;
    const samples: Sample[] = [];
    for (const [slot, labels] of Object.entries(f.series)) {
      if (labels !== null) samples.push([labels, c[slot as keyof DataPlaneCounters]]);
    }
    family(out, f.name, f.type, f.help, samples);
  }
  return `${out.join('\n')}\n`;
}
