import { describe, expect, it } from 'vitest';
import { errorBody, errorBodyOf, GATEWAY_MESSAGES } from '../../../src/errors.js';

describe('Kong error bodies with a request id', () => {
  it('writes kong.response.error’s layout: message, then request_id, two-space indent', () => {
    expect(errorBody(GATEWAY_MESSAGES.noRoute, '0123abcd')).toBe(
      '{\n  "message":"no Route matched with those values",\n  "request_id":"0123abcd"\n}',
    );
  });

  it('builds the same body from a prebuilt message as from errorBody, escaping both parts', () => {
    const noRoute = errorBodyOf(GATEWAY_MESSAGES.noRoute);
    expect(noRoute('f'.repeat(32))).toBe(errorBody(GATEWAY_MESSAGES.noRoute, 'f'.repeat(32)));
    expect(errorBodyOf('say "hi"\n')('id"1')).toBe('{\n  "message":"say \\"hi\\"\\n",\n  "request_id":"id\\"1"\n}');
  });
});
