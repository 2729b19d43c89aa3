// Kong's HTTP → gRPC status table and grpc-message rules, and the trailers sent to the client.
import { describe, expect, it } from 'vitest';
import { ErrorBody, messageBody } from '../../../src/errors.js';
import { grpcAnswerHeaders, grpcMessageOf, grpcStatusOf, trailerHeaders } from '../../../src/server/grpc-status.js';

describe('grpc status mapping', () => {
  it("maps HTTP statuses with Kong's table, and others by class", () => {
    const table = [200, 400, 401, 403, 404, 409, 429, 499, 500, 501, 503, 504].map(grpcStatusOf);
    expect(table).toEqual([0, 3, 16, 7, 5, 6, 8, 1, 13, 12, 14, 4]);
    expect([502, 413, 426, 201, 302].map(grpcStatusOf)).toEqual([13, 3, 3, 0, 2]);
  });

  it("sends an exit() message as grpc-message, and the status's name for error() bodies and claim objects", () => {
    expect(grpcMessageOf(messageBody('Unauthorized'), 16)).toBe('Unauthorized');
    expect(grpcMessageOf(new ErrorBody('no Route matched with those values').text('id'), 5)).toBe('NotFound');
    expect(grpcMessageOf('{"exp":"token expired"}', 16)).toBe('Unauthenticated');
    expect(grpcMessageOf(messageBody('50% café'), 2)).toBe('50%25 caf%C3%A9');
  });

  it('answers trailers-only with the HTTP status kept, as Kong', () => {
    expect(grpcAnswerHeaders(401, messageBody('Unauthorized'), 'rid', 'Bearer')).toEqual({
      ':status': 401,
      'content-type': 'application/grpc',
      'content-length': 0,
      'grpc-status': '16',
      'grpc-message': 'Unauthorized',
      'x-kong-request-id': 'rid',
      'www-authenticate': 'Bearer',
    });
  });

  it('turns HTTP/2 and HTTP/1.1 upstream trailers into the object sendTrailers takes', () => {
    expect({ ...trailerHeaders({ 'grpc-status': '0', 'x-a': ['1', '2'] }) }).toEqual({ 'grpc-status': '0', 'x-a': ['1', '2'] });
    expect({ ...trailerHeaders([Buffer.from('Grpc-Status'), Buffer.from('5')]) }).toEqual({ 'grpc-status': '5' });
    expect({ ...trailerHeaders(null) }).toEqual({});
  });
});
