// HTTP status lines ("200 OK") for uWS writeStatus, built once.
import { STATUS_CODES } from 'node:http';

export const STATUS_TEXT: Readonly<Record<number, string>> = Object.fromEntries(
  Object.keys(STATUS_CODES).map((code) => [Number(code), `${code} ${STATUS_CODES[code]}`]),
);
