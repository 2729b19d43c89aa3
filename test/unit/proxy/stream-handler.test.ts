// Mapping of upstream failures to Kong's statuses and messages.
import { describe, expect, it } from 'vitest';
import { errors } from 'undici';
import { classifyUpstreamError } from '../../../src/proxy/stream-handler.js';

describe('classifyUpstreamError', () => {
  it('maps connect and read timeouts to 504 The upstream server is timing out', () => {
    for (const error of [new errors.ConnectTimeoutError(), new errors.HeadersTimeoutError(), new errors.BodyTimeoutError()]) {
      expect(classifyUpstreamError(error)).toEqual({ status: 504, message: 'The upstream server is timing out' });
    }
  });

  it('maps refused and reset connections to 502', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyUpstreamError(refused)).toEqual({ status: 502, message: 'An invalid response was received from the upstream server' });
    expect(classifyUpstreamError(new errors.SocketError('other side closed')).status).toBe(502);
  });

  it('maps an oversized request body to 413 Payload too large', () => {
    const tooLarge = Object.assign(new Error('x'), { code: 'PORTCULLIS_PAYLOAD_TOO_LARGE' });
    expect(classifyUpstreamError(tooLarge)).toEqual({ status: 413, message: 'Payload too large' });
  });
});
