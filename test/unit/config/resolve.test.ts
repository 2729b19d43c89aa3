// The resolve step: environment and command-line overrides, the admin token in force, and the rules start enforces.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolve, resolveConfig } from '../../../src/config/resolve.js';
import { tempDir } from '../../helpers/gateway-harness.js';
import { base, valid } from './helpers.js';

const NO_ENV = {};

describe('resolve(document, env)', () => {
  it('refuses an Admin API on a non-loopback address without a token, with the JSON path', () => {
    const r = resolve(base({ gateway: { admin_listen: '0.0.0.0:8001' } }), NO_ENV);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.path)).toEqual(['$.gateway.admin_listen']);
  });
  it('accepts it with a token from the file or from the environment, and reports the token in force', () => {
    const exposed = { admin_listen: '0.0.0.0:8001' };
    const fromFile = resolve(base({ gateway: { ...exposed, admin_token: 'file-token' } }), NO_ENV);
    expect(fromFile.ok && fromFile.adminToken).toBe('file-token');
    const fromEnv = resolve(base({ gateway: { ...exposed, admin_token: 'file-token' } }), { PORTCULLIS_ADMIN_TOKEN: 'env-token' });
    expect(fromEnv.ok && fromEnv.adminToken).toBe('env-token');
  });
  it('reports an unreadable PORTCULLIS_ADMIN_TOKEN_FILE by the variable name', () => {
    const r = resolve(base(), { PORTCULLIS_ADMIN_TOKEN_FILE: join(tempDir(), 'missing') });
    expect(!r.ok && r.errors.map((e) => e.path)).toEqual(['PORTCULLIS_ADMIN_TOKEN_FILE']);
  });
  it('returns validation errors unchanged and never reaches the environment for an invalid file', () => {
    const r = resolve(base({ gateway: { workers: 0 } }), { PORTCULLIS_ADMIN_TOKEN_FILE: join(tempDir(), 'missing') });
    expect(!r.ok && r.errors.map((e) => e.path)).toEqual(['$.gateway.workers']);
  });
  it('gives the same result for the same file twice', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'token'), 'secret\n');
    const doc = base({ gateway: { admin_token_file: join(dir, 'token') } });
    expect(resolve(doc, NO_ENV)).toEqual(resolve(doc, NO_ENV));
  });
});

describe('resolveConfig overrides', () => {
  it('applies PORTCULLIS_ASYMMETRIC_VERIFY and ignores a value that is not a mode', () => {
    const config = valid(base());
    expect(resolveConfig(config, { PORTCULLIS_ASYMMETRIC_VERIFY: 'inline' }).config.gateway.asymmetric_verify).toBe('inline');
    expect(resolveConfig(config, { PORTCULLIS_ASYMMETRIC_VERIFY: 'gpu' }).config.gateway.asymmetric_verify).toBe('libuv');
  });
  it('applies --workers, --log-level, --watch and --http-engine (which drops every engine= flag)', () => {
    const config = valid(base({ gateway: { proxy_listen: '127.0.0.1:0 engine=node', authorizer_listen: '127.0.0.1:0 engine=node' } }));
    const g = resolveConfig(config, NO_ENV, { workers: 3, logLevel: 'warn', watch: true, httpEngine: 'uws' }).config.gateway;
    expect(g).toMatchObject({ workers: 3, log_level: 'warn', watch_config: true, http_engine: 'uws' });
    expect(g.proxy_listen[0]!.engine).toBeNull();
    expect(g.authorizer_listen!.engine).toBeNull();
    expect(config.gateway.proxy_listen[0]!.engine).toBe('node');
  });
});
