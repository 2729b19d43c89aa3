// Runs uWS calls that print debug lines through C stdio (domain()) with that output discarded, when the addon can.
import { nativeAddon } from './addon.js';

/** fn's result; what it printed to C stdio's stdout is dropped where the addon has withStdoutDiscarded (Linux). */
export function withStdoutDiscarded<T>(fn: () => T): T {
  const discard = nativeAddon?.withStdoutDiscarded;
  return typeof discard === 'function' ? discard(fn) : fn();
}
