import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAMS, h2Shape, h2ShapeText, parseH2load } from '../../../bench/macro/h2load.mjs';

describe('bench h2load shape', () => {
  it('keeps the HTTP/1.1 rows’ requests in flight by default, spread over connections of 8 streams', () => {
    expect(DEFAULT_STREAMS).toBe(8);
    expect(h2Shape(64, DEFAULT_STREAMS)).toEqual({ connections: 8, streams: 8 });
  });

  it('gives HTTP/1.1’s shape with one stream per connection and one connection with all of them', () => {
    expect(h2Shape(64, 1)).toEqual({ connections: 64, streams: 1 });
    expect(h2Shape(64, 64)).toEqual({ connections: 1, streams: 64 });
  });

  it('never asks for more streams than requests in flight, nor for zero connections', () => {
    expect(h2Shape(4, 8)).toEqual({ connections: 1, streams: 4 });
    expect(h2Shape(64, 10)).toEqual({ connections: 6, streams: 10 });
  });

  it('names the shape in the row label', () => {
    expect(h2ShapeText({ connections: 8, streams: 8 })).toBe('8 connections × 8 streams');
    expect(h2ShapeText({ connections: 1, streams: 1 })).toBe('1 connection × 1 stream');
  });

  it('reads the counts and status classes from h2load’s summary', () => {
    const text = [
      'finished in 3.00s, 1000.00 req/s, 100KB/s',
      'requests: 3000 total, 3000 started, 2990 done, 2990 succeeded, 10 failed, 0 errored, 0 timeout',
      'status codes: 2990 2xx, 0 3xx, 0 4xx, 0 5xx',
      'time for request:      1.20ms     30.00ms      5.50ms      2.00ms    90.00%',
    ].join('\n');
    expect(parseH2load(text)).toMatchObject({ done: 2990, failed: 10, errored: 0, timeout: 0, meanUs: 5500 });
    expect(parseH2load(text).statusClasses).toEqual({ '2xx': 2990, '3xx': 0, '4xx': 0, '5xx': 0 });
  });
});
