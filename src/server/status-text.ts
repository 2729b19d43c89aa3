// HTTP status lines ("200 OK") for uWS writeStatus, built once.
import { STATUS_CODES } from 'node:http';

export const STATUS_TEXT: Record<number, string> = {};
for (const code of Object.keys(STATUS_CODES)) STATUS_TEXT[Number(code)] = `${code} ${STATUS_CODES[code]}`;
