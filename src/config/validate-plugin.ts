// Validates a plugin entry: only `jwt` is supported; its config gets Kong's defaults, ranges and messages.
import type { JwtPluginConfig } from './types.js';
import { FIELDS, PLUGIN_PROTOCOLS, jwtConfigDefaults } from './fields.js';
import { checkFields, checkTimestamps, childPath, createReader, has, isObject, type Obj, type Sink } from './validate-context.js';
import { readId } from './validate-entities.js';
import { validateJwtPolicy } from './validate-jwt-policy.js';

export interface PluginFields {
  id: string | null;
  enabled: boolean;
  protocols: string[];
  config: JwtPluginConfig;
  tags: string[] | null;
}

/** Validates a plugin entry; null when it is not a usable jwt plugin (errors already reported). */
export function validatePlugin(sink: Sink, obj: Obj, path: string): PluginFields | null {
  checkFields(sink, obj, path, FIELDS.plugin);
  checkTimestamps(sink, obj, path);
  const r = createReader(sink, obj, path);
  const namePath = childPath(path, 'name');
  if (!has(obj, 'name') || obj.name === null) {
    sink.error(namePath, 'required field missing');
    return null;
  }
  if (typeof obj.name !== 'string') {
    sink.error(namePath, 'expected a string');
    return null;
  }
  if (obj.name !== 'jwt') {
    sink.error(namePath, `plugin '${obj.name}' is not supported by portcullis (supported: jwt)`);
    return null;
  }
  if (has(obj, 'consumer') && obj.consumer !== null) sink.error(childPath(path, 'consumer'), 'value must be null');
  const id = readId(sink, obj, path);
  const protocols = r.strings('protocols', [...PLUGIN_PROTOCOLS], { set: true }) ?? [...PLUGIN_PROTOCOLS];
  protocols.forEach((p, i) => {
    if (!(PLUGIN_PROTOCOLS as readonly string[]).includes(p)) {
      sink.error(childPath(childPath(path, 'protocols'), i), `expected one of: ${PLUGIN_PROTOCOLS.join(', ')}`);
    }
  });
  return {
    id,
    enabled: r.bool('enabled', true),
    protocols,
    config: validateJwtConfig(sink, obj.config, childPath(path, 'config')),
    tags: r.strings('tags', null, { set: true, nullable: true }),
  };
}

function validateJwtConfig(sink: Sink, raw: unknown, path: string): JwtPluginConfig {
  const d = jwtConfigDefaults();
  if (raw === undefined || raw === null) return d;
  if (!isObject(raw)) {
    sink.error(path, 'expected a record');
    return d;
  }
  checkFields(sink, raw, path, FIELDS.jwt_config);
  const r = createReader(sink, raw, path);
  const claims = r.strings('claims_to_verify', null, { set: true, nullable: true });
  let claimsOk = true;
  claims?.forEach((c, i) => {
    if (c !== 'exp' && c !== 'nbf') {
      sink.error(childPath(childPath(path, 'claims_to_verify'), i), 'expected one of: exp, nbf');
      claimsOk = false;
    }
  });
  const before = sink.errors.length;
  const maximum_expiration = r.num('maximum_expiration', d.maximum_expiration, 0, 31536000);
  if (sink.errors.length === before && maximum_expiration > 0 && claimsOk && !(claims ?? []).includes('exp')) {
    sink.error(childPath(path, 'claims_to_verify'), 'expected to contain: exp');
  }
  return {
    uri_param_names: r.strings('uri_param_names', d.uri_param_names, { set: true, nullable: true }) ?? [],
    cookie_names: r.strings('cookie_names', d.cookie_names, { set: true, nullable: true }) ?? [],
    header_names: r.strings('header_names', d.header_names, { set: true, nullable: true }) ?? [],
    key_claim_name: r.str('key_claim_name', d.key_claim_name, { nonEmpty: true }),
    secret_is_base64: r.bool('secret_is_base64', d.secret_is_base64),
    claims_to_verify: claimsOk ? (claims as Array<'exp' | 'nbf'> | null) : null,
    anonymous: r.str('anonymous', null, { nullable: true, nonEmpty: true }),
    run_on_preflight: r.bool('run_on_preflight', d.run_on_preflight),
    maximum_expiration,
    realm: r.str('realm', null, { nullable: true, nonEmpty: true }),
    ...validateJwtPolicy(sink, raw, path),
  };
}
