import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { updateYamlText } from '../../../src/config/yaml-update.js';

const original = `# Portcullis demo config
_format_version: "3.0"
services:
  # the orders API
  - name: orders
    url: http://127.0.0.1:3000   # local upstream
    routes:
      - name: orders-route
        paths: [/orders]
consumers:
  - username: bob   # the first consumer
`;

describe('updateYamlText', () => {
  it('keeps comments and flow style of unchanged nodes while adding, changing and removing entries', () => {
    const data = parse(original);
    data.consumers.unshift({ username: 'alice', created_at: 1 });
    data.services[0].url = 'http://127.0.0.1:4000';
    data.services[0].routes[0].strip_path = false;
    const text = updateYamlText(original, data);
    expect(parse(text)).toEqual(data);
    expect(text).toContain('# Portcullis demo config');
    expect(text).toContain('# the orders API');
    expect(text).toContain('username: bob # the first consumer');
    expect(text).toContain('paths: [ /orders ]');
    expect(text).toContain('"3.0"');
  });
  it('falls back to plain output when there is no previous text', () => {
    expect(updateYamlText(null, { a: [1] })).toBe('a:\n  - 1\n');
  });
});
