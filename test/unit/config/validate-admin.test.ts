import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/gateway-harness.js';
import { base, errorLines, valid } from './helpers.js';

describe('gateway Admin API security fields', () => {
  it('defaults them to none, and canonicalises origins and host names', () => {
    expect(valid(base()).gateway).toMatchObject({
      admin_token: null,
      admin_token_file: null,
      admin_allowed_origins: [],
      admin_allowed_hosts: [],
    });
    const g = valid(
      base({
        gateway: {
          admin_allowed_origins: ['HTTPS://UI.Example:443', 'http://localhost:3000', 'http://localhost:3000'],
          admin_allowed_hosts: ['Gateway.Internal.', '[::1]'],
        },
      }),
    ).gateway;
    expect(g.admin_allowed_origins).toEqual(['https://ui.example', 'http://localhost:3000']);
    expect(g.admin_allowed_hosts).toEqual(['gateway.internal', '[::1]']);
  });

  it('reports each bad origin, host and token file with its JSON path', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty'), '\n');
    expect(
      errorLines(
        base({
          gateway: {
            admin_allowed_origins: ['https://ui.example/', 'null', '*', 'ftp://x.example', 7],
            admin_allowed_hosts: ['gw.internal:8001', 'a b'],
            admin_token_file: join(dir, 'empty'),
          },
        }),
      ),
    ).toEqual([
      `$.gateway.admin_token_file: the admin token file '${join(dir, 'empty')}' is empty`,
      '$.gateway.admin_allowed_origins[4]: expected a string',
      "$.gateway.admin_allowed_hosts[0]: expected a host name without a port such as 'gateway.internal', got 'gw.internal:8001'",
      "$.gateway.admin_allowed_hosts[1]: expected a host name without a port such as 'gateway.internal', got 'a b'",
    ]);
    expect(errorLines(base({ gateway: { admin_allowed_origins: ['https://ui.example/', 'null'] } }))).toEqual([
      "$.gateway.admin_allowed_origins[0]: expected an origin such as 'https://admin.example.com', got 'https://ui.example/'",
      "$.gateway.admin_allowed_origins[1]: expected an origin such as 'https://admin.example.com', got 'null'",
    ]);
  });

  it('refuses admin_token together with admin_token_file, and a file that cannot be read', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tok'), 'abc\n');
    expect(valid(base({ gateway: { admin_token_file: join(dir, 'tok') } })).gateway.admin_token_file).toBe(join(dir, 'tok'));
    expect(errorLines(base({ gateway: { admin_token: 'abc', admin_token_file: join(dir, 'tok') } }))).toEqual([
      '$.gateway.admin_token_file: set either admin_token or admin_token_file, not both',
    ]);
    expect(errorLines(base({ gateway: { admin_token_file: join(dir, 'nope') } }))).toEqual([
      `$.gateway.admin_token_file: cannot read the admin token file '${join(dir, 'nope')}': no such file`,
    ]);
    expect(errorLines(base({ gateway: { admin_token_file: dir } }))).toEqual([
      `$.gateway.admin_token_file: cannot read the admin token file '${dir}': is a directory`,
    ]);
  });
});
