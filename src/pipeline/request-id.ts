// Kong-style 32-hex-character request ids: a random per-worker prefix plus a counter, no per-id randomness.
import { randomBytes } from 'node:crypto';

export interface RequestIdGenerator {
  next(): string;
}

export function createRequestIdGenerator(): RequestIdGenerator {
  const prefix = randomBytes(10).toString('hex'); // 20 hex chars
  let counter = 0;
  return {
    next() {
      counter = (counter + 1) % 0x1000000000000; // 12 hex chars
      return prefix + counter.toString(16).padStart(12, '0');
    },
  };
}
