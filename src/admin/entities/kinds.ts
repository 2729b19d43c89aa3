// The entity kinds the Admin API manages: collection names, endpoint keys, foreign keys, form field types.

export type Kind = 'services' | 'routes' | 'plugins' | 'consumers' | 'jwt_secrets' | 'certificates' | 'snis';

export interface ForeignKey {
  /** Field on the child (`service`, `route`, `consumer`). */
  field: string;
  parent: Kind;
  /** Deleting the parent: `cascade` deletes the child, `restrict` refuses with a foreign key violation. */
  onDelete: 'cascade' | 'restrict';
}

/** How a form/multipart value is coerced (Kong infers from the schema; JSON bodies are taken as typed). */
export type FieldType = 'string' | 'int' | 'number' | 'bool' | 'array' | 'record' | 'array-map';

export interface KindDef {
  kind: Kind;
  /** Field that names the entity in URLs besides its id (`name`, `username`, `key`); null for plugins. */
  endpointKey: string | null;
  /** A second unique field besides the endpoint key (consumers.custom_id). */
  alsoUnique: string | null;
  foreignKeys: readonly ForeignKey[];
  /** Whether the entity has `updated_at` (jwt_secrets do not). */
  updatedAt: boolean;
  fields: Readonly<Record<string, FieldType>>;
}

const TIMES = { created_at: 'int', updated_at: 'int' } as const;

export const KINDS: Readonly<Record<Kind, KindDef>> = {
  services: {
    kind: 'services',
    endpointKey: 'name',
    alsoUnique: null,
    foreignKeys: [],
    updatedAt: true,
    fields: {
      ...TIMES,
      port: 'int',
      retries: 'int',
      connect_timeout: 'int',
      read_timeout: 'int',
      write_timeout: 'int',
      enabled: 'bool',
      tags: 'array',
    },
  },
  routes: {
    kind: 'routes',
    endpointKey: 'name',
    alsoUnique: null,
    updatedAt: true,
    foreignKeys: [{ field: 'service', parent: 'services', onDelete: 'restrict' }],
    fields: {
      ...TIMES,
      protocols: 'array',
      methods: 'array',
      hosts: 'array',
      paths: 'array',
      tags: 'array',
      strip_path: 'bool',
      preserve_host: 'bool',
      regex_priority: 'int',
      headers: 'array-map',
      service: 'record',
      snis: 'array',
      https_redirect_status_code: 'int',
    },
  },
  plugins: {
    kind: 'plugins',
    endpointKey: null,
    alsoUnique: null,
    updatedAt: true,
    foreignKeys: [
      { field: 'service', parent: 'services', onDelete: 'cascade' },
      { field: 'route', parent: 'routes', onDelete: 'cascade' },
    ],
    fields: {
      ...TIMES,
      enabled: 'bool',
      protocols: 'array',
      tags: 'array',
      service: 'record',
      route: 'record',
      consumer: 'record',
      config: 'record',
      'config.uri_param_names': 'array',
      'config.cookie_names': 'array',
      'config.header_names': 'array',
      'config.claims_to_verify': 'array',
      'config.secret_is_base64': 'bool',
      'config.run_on_preflight': 'bool',
      'config.maximum_expiration': 'number',
      // jwt policy extensions (form bodies; claims_to_headers needs a JSON body).
      'config.leeway': 'int',
      'config.issuers': 'array',
      'config.audiences': 'array',
      'config.scopes_required': 'array',
      'config.scopes_claim': 'array',
      'config.roles_required': 'array',
      'config.hide_credentials': 'bool',
      'config.claims_to_headers': 'array',
    },
  },
  consumers: {
    kind: 'consumers',
    endpointKey: 'username',
    alsoUnique: 'custom_id',
    foreignKeys: [],
    updatedAt: true,
    fields: { ...TIMES, tags: 'array' },
  },
  jwt_secrets: {
    kind: 'jwt_secrets',
    endpointKey: 'key',
    alsoUnique: null,
    updatedAt: false,
    foreignKeys: [{ field: 'consumer', parent: 'consumers', onDelete: 'cascade' }],
    fields: { created_at: 'int', tags: 'array', consumer: 'record', jwks: 'record' },
  },
  certificates: {
    kind: 'certificates',
    endpointKey: null,
    alsoUnique: null,
    foreignKeys: [],
    updatedAt: true,
    fields: { ...TIMES, tags: 'array', snis: 'array' },
  },
  snis: {
    kind: 'snis',
    endpointKey: 'name',
    alsoUnique: null,
    updatedAt: true,
    foreignKeys: [{ field: 'certificate', parent: 'certificates', onDelete: 'cascade' }],
    fields: { ...TIMES, tags: 'array', certificate: 'record' },
  },
};

/** Kinds whose entries may be nested in an entry of `parent`, with the field that names the parent. */
export function childrenOf(parent: Kind): Array<{ kind: Kind; fk: ForeignKey }> {
  const out: Array<{ kind: Kind; fk: ForeignKey }> = [];
  for (const def of Object.values(KINDS)) {
    for (const fk of def.foreignKeys) if (fk.parent === parent) out.push({ kind: def.kind, fk });
  }
  return out;
}
