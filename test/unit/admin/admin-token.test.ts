import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/gateway-harness.js';
import { resolveAdminToken } from '../../../src/admin/admin-token.js';
import { describeWrite } from '../../../src/admin/admin-audit.js';

describe('admin token resolution', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'env'), 'from-env-file\n');
  writeFileSync(join(dir, 'cfg'), 'from-config-file\n\n');
  const NO_TOKEN = { admin_token: null, admin_token_file: null };
  const all = { PORTCULLIS_ADMIN_TOKEN: 'from-env', PORTCULLIS_ADMIN_TOKEN_FILE: join(dir, 'env') };

  it('takes PORTCULLIS_ADMIN_TOKEN, then PORTCULLIS_ADMIN_TOKEN_FILE, then admin_token, then admin_token_file', () => {
    const cfg = { admin_token: 'from-config', admin_token_file: null };
    const cfgFile = { admin_token: null, admin_token_file: join(dir, 'cfg') };
    expect(resolveAdminToken(cfg, { PORTCULLIS_ADMIN_TOKEN: 'from-env' })).toEqual({ ok: true, token: 'from-env', source: 'env' });
    expect(resolveAdminToken(cfg, { PORTCULLIS_ADMIN_TOKEN_FILE: join(dir, 'env') })).toEqual({
      ok: true,
      token: 'from-env-file',
      source: 'env-file',
    });
    expect(resolveAdminToken(cfg, {})).toEqual({ ok: true, token: 'from-config', source: 'config' });
    // Only one trailing newline is trimmed: a second one is part of the token.
    expect(resolveAdminToken(cfgFile, {})).toEqual({ ok: true, token: 'from-config-file\n', source: 'config-file' });
    expect(resolveAdminToken(NO_TOKEN, { PORTCULLIS_ADMIN_TOKEN: '' })).toEqual({ ok: true, token: null, source: 'none' });
  });

  it('refuses both environment variables at once', () => {
    expect(resolveAdminToken(NO_TOKEN, all)).toEqual({
      ok: false,
      errors: [
        {
          path: 'PORTCULLIS_ADMIN_TOKEN_FILE',
          message: 'set either PORTCULLIS_ADMIN_TOKEN or PORTCULLIS_ADMIN_TOKEN_FILE, not both',
        },
      ],
    });
  });
});

describe('audit entity of a write', () => {
  it('names the last entity in the path and the id from the answer, else from the path', () => {
    expect(describeWrite('/consumers/alice/jwt', { id: 'c1', secret: 's' })).toEqual({ entity: 'jwt_secrets', entity_id: 'c1' });
    expect(describeWrite('/consumers/alice/jwt/my%20key', null)).toEqual({ entity: 'jwt_secrets', entity_id: 'my key' });
    expect(describeWrite('/services/s/routes', { id: 'r1' })).toEqual({ entity: 'routes', entity_id: 'r1' });
    expect(describeWrite('/config', { _format_version: '3.0' })).toEqual({ entity: 'config', entity_id: null });
    expect(describeWrite('/nope/x', null)).toEqual({ entity: 'unknown', entity_id: null });
  });
});
