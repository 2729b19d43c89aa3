// A total GatewaySettings for tests that build configs by hand: the validator's own defaults plus the overrides given.
import type { GatewaySettings } from '../../src/config/types.js';
import { validateGateway } from '../../src/config/validate-gateway.js';
import { createSink } from '../../src/config/validate-context.js';

/** Loopback on an ephemeral port, no Admin API, one worker; every other field as the validator defaults it. */
export function gatewaySettings(overrides: Partial<GatewaySettings> = {}): GatewaySettings {
  const sink = createSink();
  const defaults = validateGateway(sink, { proxy_listen: '127.0.0.1:0', admin_listen: 'off', workers: 1 }, '$.gateway');
  if (sink.errors.length > 0) throw new Error(`gatewaySettings: ${JSON.stringify(sink.errors)}`);
  return { ...defaults, ...overrides };
}
