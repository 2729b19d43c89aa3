// Types for work-cost.mjs.
export interface WorkCostRow {
  workUs: number;
  us: number;
  perCpuS: number;
  added: number;
  factor: number | null;
}
export function workCostRows(levels: { workUs: number; usPerRequest: number[] }[]): WorkCostRow[];
export function renderWorkCost(rows: WorkCostRow[]): string;
