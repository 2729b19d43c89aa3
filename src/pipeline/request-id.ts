// Kong-style 32-hex-character request ids: a random per-worker prefix plus a counter; an id's text is made only when read.
import { randomBytes } from 'node:crypto';

/** The ids of one data plane. An id is its counter; its text is requestIdText(prefix, counter). */
export interface RequestIds {
  /** The 20 random hex characters every id of this generator starts with. */
  readonly prefix: string;
  /** A new id's counter: 1, 2, … up to 2^48 − 1, then around again. */
  next(): number;
}

/** An id's text: REQUEST_ID_PREFIX_LENGTH hex characters of prefix, then REQUEST_ID_COUNTER_DIGITS of counter. */
export const REQUEST_ID_PREFIX_LENGTH = 20;
export const REQUEST_ID_COUNTER_DIGITS = 12;
const COUNTER_LIMIT = 2 ** (4 * REQUEST_ID_COUNTER_DIGITS);

export function createRequestIds(): RequestIds {
  let counter = 0;
  return {
    prefix: randomBytes(REQUEST_ID_PREFIX_LENGTH / 2).toString('hex'),
    next() {
      counter = (counter + 1) % COUNTER_LIMIT;
      return counter;
    },
  };
}

export function requestIdText(prefix: string, counter: number): string {
  return prefix + counter.toString(16).padStart(REQUEST_ID_COUNTER_DIGITS, '0');
}

/** ASCII codes of the hex digits. */
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Writes the counter's 12 hex digits as ASCII at bytes[at … at + 12): an id's text after its prefix. */
export function writeCounterHex(bytes: Uint8Array, at: number, counter: number): void {
  // Two 24-bit halves: the bit operators below work on 32 bits.
  let low = counter % 0x1000000;
  let high = (counter - low) / 0x1000000;
  for (let i = at + REQUEST_ID_COUNTER_DIGITS - 1; i >= at + 6; i--) {
    bytes[i] = HEX[low & 15]!;
    low >>>= 4;
  }
  for (let i = at + 5; i >= at; i--) {
    bytes[i] = HEX[high & 15]!;
    high >>>= 4;
  }
}
