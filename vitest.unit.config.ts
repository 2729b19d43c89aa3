// The fast tier (`npm run test:unit`): unit tests that open no socket and compile nothing, with sockets refused outright.
import { defineConfig } from 'vitest/config';

/** Unit tests that talk to a real loopback server (an IdP, an HTTP peer) or build the C++ core with g++: `npm test` runs them. */
const NEEDS_SOCKETS_OR_GXX = [
  'test/unit/admin/admin-guard.test.ts',
  'test/unit/auth/attacks-header.test.ts',
  'test/unit/auth/authenticator-jwks.test.ts',
  'test/unit/auth/jwks/jwks-cache.test.ts',
  'test/unit/explain/explain-jwks.test.ts',
  'test/unit/native/core-cc.test.ts',
  'test/unit/native/shared-listen.test.ts',
  'test/unit/proxy/known-header-names.test.ts',
  'test/unit/proxy/upstream-reads.test.ts',
];

export default defineConfig({
  test: {
    name: 'unit',
    include: ['test/unit/**/*.test.ts'],
    exclude: NEEDS_SOCKETS_OR_GXX,
    setupFiles: ['test/helpers/no-sockets.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    env: { UWS_HTTP_MAX_HEADERS_SIZE: '16384' },
  },
});
