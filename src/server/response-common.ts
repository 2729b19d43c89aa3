// What both engines' response writers share: which upstream headers are never relayed, the JSON type, status counting.
import type { ResponseCounters } from './engine.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Headers never copied from the upstream response (hop-by-hop, or ones the engine writes itself). */
export function skipResponseHeader(name: string): boolean {
  switch (name) {
    case 'connection': case 'keep-alive': case 'proxy-connection': case 'transfer-encoding':
    case 'upgrade': case 'te': case 'trailer': case 'content-length': case 'date': case 'via':
    case 'x-kong-request-id':
      return true;
  }
  return false;
}

export function countStatus(c: ResponseCounters, status: number): void {
  if (status < 300) c.responses2xx++;
  else if (status < 400) c.responses3xx++;
  else if (status < 500) c.responses4xx++;
  else c.responses5xx++;
}
