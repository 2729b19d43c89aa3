// The environment variables Portcullis reads, in one table, and the resolve step's one read of process.env.

/** Every variable, what it does, and who applies it (README, "Environment variables"). */
export const ENVIRONMENT_VARIABLES = {
  PORTCULLIS_CONFIG: 'the config file when --config is not given (cli.ts)',
  PORTCULLIS_HTTP_ENGINE: 'uws|node: as --http-engine (cli.ts)',
  PORTCULLIS_ADMIN_TOKEN: 'the Admin API token, over gateway.admin_token[_file] (resolve.ts)',
  PORTCULLIS_ADMIN_TOKEN_FILE: 'a file holding the Admin API token, over gateway.admin_token[_file] (resolve.ts)',
  PORTCULLIS_ASYMMETRIC_VERIFY: 'pool|libuv|inline: overrides gateway.asymmetric_verify, for benchmarks (resolve.ts)',
  PORTCULLIS_DISABLE_NATIVE: '1: never load the native HMAC addon; node:crypto verifies HS* (native/addon.ts)',
  PORTCULLIS_PEER_ADDRESS_CACHE:
    'off: uWS listeners read the client address per request, as uWS.js does, not per connection (native/uws-peers.ts)',
  GLIBC_TUNABLES: 'glibc.malloc.trim_threshold set there is kept; otherwise the gateway raises it to 32 MiB (native/addon.ts)',
} as const;

export type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES;

/** This process's environment: what `resolve()` reads when it is given none. Workers inherit it at spawn. */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}

/** PORTCULLIS_DISABLE_NATIVE=1; read once per thread when the addon module loads. */
export function nativeAddonDisabled(env: NodeJS.ProcessEnv = processEnvironment()): boolean {
  return env.PORTCULLIS_DISABLE_NATIVE === '1';
}

/** PORTCULLIS_PEER_ADDRESS_CACHE=off; read when a uWS listener is created. */
export function peerAddressCacheDisabled(env: NodeJS.ProcessEnv = processEnvironment()): boolean {
  return env.PORTCULLIS_PEER_ADDRESS_CACHE === 'off';
}

/** PORTCULLIS_UWS_MARK=keep; read when the first uWS listener of a thread binds. */
export function uwsMarkKeptByEnvironment(env: NodeJS.ProcessEnv = processEnvironment()): boolean {
  return env.PORTCULLIS_UWS_MARK === 'keep';
}

/** GLIBC_TUNABLES sets malloc's trim threshold itself: the gateway then leaves it alone. */
export function mallocTrimThresholdTuned(env: NodeJS.ProcessEnv = processEnvironment()): boolean {
  return (env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.trim_threshold');
}
