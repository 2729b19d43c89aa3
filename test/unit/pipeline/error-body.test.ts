import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorBody, GATEWAY_MESSAGES } from '../../../src/errors.js';

describe('Kong error bodies with a request id', () => {
  it('writes kong.response.error’s layout: message, then request_id, two-space indent', () => {
    expect(new ErrorBody(GATEWAY_MESSAGES.noRoute).text('0123abcd')).toBe(
      '{\n  "message":"no Route matched with those values",\n  "request_id":"0123abcd"\n}',
    );
  });

  it('escapes the message and a request id that is not plain as JSON does', () => {
    expect(new ErrorBody('say "hi"\n').text('id"1')).toBe('{\n  "message":"say \\"hi\\"\\n",\n  "request_id":"id\\"1"\n}');
  });

  it('writes any request id as JSON.stringify does, plain ids quoted as they are between before and after', () => {
    const noRoute = new ErrorBody(GATEWAY_MESSAGES.noRoute);
    const viaStringify = (id: string) => `{\n  "message":"${GATEWAY_MESSAGES.noRoute}",\n  "request_id":${JSON.stringify(id)}\n}`;
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[\w.-]{0,40}$/), fc.string({ unit: 'binary' })), (id) => {
        expect(noRoute.text(id)).toBe(viaStringify(id));
      }),
    );
    for (const id of ['', 'a-b.c_d', 'é', 'a\u2028b', 'a\\b', '\u0000', 'tab\there']) expect(noRoute.text(id)).toBe(viaStringify(id));
    expect(noRoute.before + '0f'.repeat(16) + noRoute.after).toBe(viaStringify('0f'.repeat(16)));
  });
});
