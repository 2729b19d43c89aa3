// The `portcullis` command: parses flags, then starts the gateway, checks a config file, or mints a token.
import { parseArgs } from 'node:util';
import { checkConfig } from './config/check.js';
import { GATEWAY_LIMITS, LOG_LEVELS } from './config/fields.js';
import { formatConfigErrors } from './config/load.js';
import { HTTP_ENGINES } from './config/listen-spec.js';
import type { HttpEngine } from './config/types.js';
import { ConfigInvalidError, ERROR_CODES, PortcullisError } from './portcullis-error.js';
import { startGateway, type GatewayHandle } from './gateway.js';
import type { LogLevel } from './observability/logger.js';
import { packageVersion } from './supervisor/package-version.js';
import { runTokenCommand, type TokenCommandOptions } from './token/token-command.js';
import { runExplainCommand, type ExplainCommandOptions } from './explain/explain-command.js';

const EXIT_USAGE = 2;

const USAGE = `Usage: portcullis [start] --config FILE [--workers N] [--log-level LEVEL] [--http-engine uws|node] [--watch]
       portcullis check --config FILE
       portcullis token --config FILE [--key KEY] [--claim NAME=VALUE]... [--expires-in SECONDS]
                        [--private-key FILE] [--key-claim NAME] [--secret-is-base64]
       portcullis explain --config FILE [--method M] [--host H] --path P
                          [--token T | --header 'Name: value']... [--json]
       portcullis --help | --version

Commands:
  start   run the gateway (the default command)
  check   validate a config file as start would (same environment, same refusals): prints every error with
          its JSON path (exit 1), or a summary (exit 0)
  token   print a signed JWT for a credential of the config (HS* with its secret; RS/PS/ES/EdDSA with
          --private-key, which must match the credential's public key)
  explain say which route, plugin config and jwt step would decide one request, and why; exit 0 when it
          would be allowed, 1 when refused, 2 on a usage or config error

Options:
  -c, --config FILE      declarative config (JSON or YAML); default: $PORTCULLIS_CONFIG
  -w, --workers N        worker threads (1-64), overrides gateway.workers
  -l, --log-level LEVEL  fatal|error|warn|info|debug|trace|silent, overrides gateway.log_level
      --http-engine E    uws|node: the engine of every proxy listener, overriding gateway.http_engine and each
                         listener's engine= flag (http2 listeners stay node); default: $PORTCULLIS_HTTP_ENGINE
      --watch            reload when the config file changes (as gateway.watch_config: true)
  -h, --help             show this help
  -v, --version          print the version

Token options:
  -k, --key KEY          the credential's key (default: the only credential in the config)
      --claim NAME=VALUE extra claim, repeatable; VALUE is JSON when it parses (numbers, booleans), else text
      --expires-in SEC   exp = now + SEC (default 3600; 0 = no exp claim)
      --private-key FILE PEM private key for asymmetric credentials
      --key-claim NAME   claim that carries the key (default: the jwt plugins' key_claim_name, else iss)
      --secret-is-base64 HMAC with the base64url-decoded secret (default: as the jwt plugins say)

Explain options:
      --method M         request method (default GET)
      --host H           Host header
      --path P           request path, with an optional ?query (required)
      --token T          sends Authorization: Bearer T
  -H, --header 'N: V'    a request header, repeatable (e.g. a cookie or a custom token header)
      --json             the machine-readable form

Signals: SIGHUP reloads the config file; SIGTERM/SIGINT fail readiness, wait gateway.drain_delay_ms, drain
in-flight requests and exit 0.
`;

class UsageError extends PortcullisError {
  constructor(message: string) {
    super(ERROR_CODES.usage, message);
  }
}

interface Parsed {
  command: 'start' | 'check' | 'token' | 'explain' | 'help' | 'version';
  configPath?: string;
  workers?: number;
  logLevel?: LogLevel;
  httpEngine?: HttpEngine;
  watch?: boolean;
  token?: Omit<TokenCommandOptions, 'configPath'>;
  explain?: Omit<ExplainCommandOptions, 'configPath'>;
}

function parse(argv: string[]): Parsed {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the one assignment below, whose options fix the shape
  let values;
  // biome-ignore lint/suspicious/noImplicitAnyLet: as above
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        workers: { type: 'string', short: 'w' },
        'log-level': { type: 'string', short: 'l' },
        'http-engine': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        watch: { type: 'boolean' },
        key: { type: 'string', short: 'k' },
        claim: { type: 'string', multiple: true },
        'expires-in': { type: 'string' },
        'private-key': { type: 'string' },
        'key-claim': { type: 'string' },
        'secret-is-base64': { type: 'boolean' },
        method: { type: 'string' },
        host: { type: 'string' },
        path: { type: 'string' },
        token: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        json: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command = 'start', ...rest] = positionals;
  if (command !== 'start' && command !== 'check' && command !== 'token' && command !== 'explain')
    throw new UsageError(`unknown command '${command}'`);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const tokenFlags = ['key', 'claim', 'expires-in', 'private-key', 'key-claim', 'secret-is-base64'] as const;
  const misplaced = tokenFlags.find((flag) => values[flag] !== undefined);
  if (command !== 'token' && misplaced) throw new UsageError(`--${misplaced} belongs to the token command`);
  const explainFlags = ['method', 'host', 'path', 'token', 'header', 'json'] as const;
  const misplacedExplain = explainFlags.find((flag) => values[flag] !== undefined);
  if (command !== 'explain' && misplacedExplain) throw new UsageError(`--${misplacedExplain} belongs to the explain command`);

  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    const [min, max] = GATEWAY_LIMITS.workers;
    if (!/^\d+$/.test(values.workers) || workers < min || workers > max)
      throw new UsageError(`--workers must be an integer between ${min} and ${max}`);
  }
  const logLevel = values['log-level'] as LogLevel | undefined;
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new UsageError(`--log-level must be one of: ${LOG_LEVELS.join(', ')}`);
  const httpEngine = values['http-engine'] ?? (process.env.PORTCULLIS_HTTP_ENGINE || undefined);
  if (httpEngine !== undefined && !(HTTP_ENGINES as readonly string[]).includes(httpEngine)) {
    throw new UsageError(`--http-engine (or PORTCULLIS_HTTP_ENGINE) must be one of: ${HTTP_ENGINES.join(', ')}`);
  }
  const configPath = values.config ?? (process.env.PORTCULLIS_CONFIG || undefined);
  const token = {
    credentialKey: values.key,
    claims: values.claim ?? [],
    expiresIn: values['expires-in'],
    privateKeyPath: values['private-key'],
    keyClaimName: values['key-claim'],
    secretIsBase64: values['secret-is-base64'],
  };
  if (command !== 'start' && values.watch) throw new UsageError('--watch belongs to the start command');
  const explain = {
    method: values.method,
    host: values.host,
    path: values.path,
    token: values.token,
    headers: values.header ?? [],
    json: values.json ?? false,
  };
  return { command, configPath, workers, logLevel, httpEngine: httpEngine as HttpEngine | undefined, watch: values.watch, token, explain };
}

function requireConfig(p: Parsed): string {
  if (!p.configPath) throw new UsageError('no config file: pass --config FILE or set PORTCULLIS_CONFIG');
  return p.configPath;
}

async function start(p: Parsed): Promise<number> {
  const configPath = requireConfig(p);
  // Listening for SIGHUP from the start: its default action ends the process, and the gateway announces it has
  // started a moment before start() resumes (with two workers, long enough for a reload sent on that line to kill it).
  // One that arrives while starting reloads once the gateway is up.
  let reloadWhenStarted = false;
  let reload = (): void => {
    reloadWhenStarted = true;
  };
  process.on('SIGHUP', () => reload());
  // Stop signals too, for the same reason: the gateway is listening a moment before start() resumes, and a SIGTERM
  // then ended the process with what it had accepted. One that arrives while starting stops the gateway as soon as it
  // is up; a second one ends the process at once (a start-up that hangs can still be interrupted).
  let stopWhenStarted: NodeJS.Signals | null = null;
  let stop = (signal: NodeJS.Signals): void => {
    if (stopWhenStarted !== null) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopWhenStarted = signal;
  };
  process.on('SIGTERM', (signal) => stop(signal));
  process.on('SIGINT', (signal) => stop(signal));
  let handle: GatewayHandle;
  try {
    handle = await startGateway({
      configPath,
      env: process.env,
      overrides: { workers: p.workers, logLevel: p.logLevel, httpEngine: p.httpEngine, watch: p.watch },
    });
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      process.stderr.write(`portcullis: invalid config ${configPath}:\n${formatConfigErrors(err.errors)}\n`);
    } else {
      process.stderr.write(`portcullis: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return 1;
  }
  const logger = handle.logger;
  reload = () => {
    logger.info('SIGHUP: reloading config');
    handle.reload().catch((err: unknown) => logger.error({ err }, 'reload failed'));
  };
  if (reloadWhenStarted) reload();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'already stopping; waiting for in-flight requests to drain');
        return;
      }
      stopping = true;
      logger.info({ signal }, `${signal}: shutting down`);
      handle.stop().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error({ err }, 'error while stopping');
          resolve(1);
        },
      );
    };
    stop = shutdown;
    if (stopWhenStarted !== null) {
      logger.info({ signal: stopWhenStarted }, `${stopWhenStarted} arrived while starting`);
      shutdown(stopWhenStarted);
    }
  });
}

async function main(argv: string[]): Promise<number> {
  const p = parse(argv);
  switch (p.command) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
      process.stdout.write(`portcullis ${packageVersion()}\n`);
      return 0;
    case 'token': {
      const result = runTokenCommand({ configPath: requireConfig(p), ...p.token! });
      if (result.ok) process.stdout.write(`${result.token}\n`);
      else process.stderr.write(`portcullis token: ${result.error}\n`);
      return result.ok ? 0 : 1;
    }
    case 'explain': {
      const result = await runExplainCommand({ configPath: requireConfig(p), ...p.explain! });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      return result.code;
    }
    case 'check': {
      const result = checkConfig(requireConfig(p), process.env);
      (result.ok ? process.stdout : process.stderr).write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
      return result.ok ? 0 : 1;
    }
    case 'start':
      return start(p);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`portcullis: ${err.message}\n\n${USAGE}`);
      process.exit(EXIT_USAGE);
    }
    process.stderr.write(`portcullis: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
