import { describe, expect, it } from 'vitest';
import { errorLines, valid } from './helpers.js';

const MSG = 'must not contain control characters (CR, LF, NUL, ...): it is sent upstream as a header value';

describe('identity values sent as headers', () => {
  it('refuses CR, LF and NUL in username, custom_id and credential key, each with its JSON path', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        consumers: [
          { username: 'a\r\nX-Evil: 1' },
          { username: 'b', custom_id: 'c\u0000' },
          { username: 'c', jwt_secrets: [{ key: 'k\n1', secret: 's' }] },
        ],
      }),
    ).toEqual([`$.consumers[0].username: ${MSG}`, `$.consumers[1].custom_id: ${MSG}`, `$.consumers[2].jwt_secrets[0].key: ${MSG}`]);
  });
  it('refuses a control character in a top-level jwt_secrets key', () => {
    expect(
      errorLines({ _format_version: '3.0', consumers: [{ username: 'u' }], jwt_secrets: [{ consumer: 'u', key: 'k\u0007', secret: 's' }] }),
    ).toEqual([`$.jwt_secrets[0].key: ${MSG}`]);
  });
  it('accepts any other text, tab and non-Latin-1 included', () => {
    const c = valid({
      _format_version: '3.0',
      consumers: [{ username: 'Пётр', custom_id: 'id\twith tab', jwt_secrets: [{ key: 'ключ', secret: 's' }] }],
    });
    expect(c.consumers[0]!.username).toBe('Пётр');
  });
});
